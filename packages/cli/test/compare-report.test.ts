import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { formatNumber } from '@kramers/reporters';
import { cli, kramers, startCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'kramers-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Attributes that fetch, attribute values that are URLs, and url(…) other than a same-page #fragment. */
function externalReferences(doc: string): string[] {
  const found: string[] = [];
  for (const t of doc.match(/<[A-Za-z][^>]*>/g) ?? []) {
    if (/^<(?:script|link|img|iframe|object|embed|image|use|base|audio|video|source)\b/i.test(t)) found.push(t);
    for (const [, name, value] of t.matchAll(/\s([\w:.-]+)\s*=\s*"([^"]*)"/g)) {
      if (/^(?:src|href|xlink:href|srcset|action|poster|background|data)$/i.test(name!)) found.push(t);
      if (/^\s*(?:(?:https?|ftp|file|data|javascript):|\/\/)/i.test(value!) || /url\((?!#)/i.test(value!)) found.push(t);
    }
  }
  if (/@import|url\((?!#)/i.test(doc.match(/<style>([^<]*)<\/style>/)?.[1] ?? '')) found.push('<style>');
  return found;
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** The comparison table's cells, row by row: [text, data-value] per cell. */
function tableCells(doc: string): { header: string[]; rows: [string, string | undefined][][] } {
  const table = doc.match(/<table class="comparison">([\s\S]*?)<\/table>/)![1]!;
  const header = [...table.match(/<thead>([\s\S]*?)<\/thead>/)![1]!.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => unescape(m[1]!));
  const rows = [...table.match(/<tbody>([\s\S]*?)<\/tbody>/)![1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td([^>]*)>([\s\S]*?)<\/td>/g)].map((cell): [string, string | undefined] => [
      unescape(cell[2]!.replace(/<[^>]*>/g, '')),
      cell[1]!.match(/data-value="([^"]*)"/)?.[1],
    ]),
  );
  return { header, rows };
}

describe('kramers compare --report', () => {
  test('writes one self-contained page: every run, the table numbers equal the --json numbers, a chart per metric', async () => {
    const report = join(dir, 'nested', 'r.html');
    const { code, stdout, stderr } = await cli(['compare', '--epochs', '2', '--json', '--backend', 'cpu', '--no-progress', '--report', report]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    const doc = readFileSync(report, 'utf8');
    // Atomic: only the report itself is left in its directory (no temp file).
    expect(readdirSync(join(dir, 'nested'))).toEqual(['r.html']);
    expect(doc.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(doc.endsWith('</html>\n')).toBe(true);
    expect(externalReferences(doc)).toEqual([]);
    expect(doc).not.toMatch(/https?:|<script/i);

    const { header, rows } = tableCells(doc);
    expect(header.slice(0, 3)).toEqual(['run', 'status', 'steps']);
    expect(header).toContain('test_accuracy');
    expect(header).toContain('lambda_max');
    expect(rows.map((r) => r[0]![0])).toEqual(json.runs.map((r: { optimizer: string }) => r.optimizer));
    expect(rows.map((r) => r[0]![0])).toEqual(['sgd', 'sgld', 'adam']);
    let compared = 0;
    json.runs.forEach((run: { optimizer: string; final: { status: string; iterations: number }; metrics: Record<string, { value: number; uncertainty?: { stderr?: number } }> }, r: number) => {
      const row = rows[r]!;
      expect(row[1]![0]).toBe(run.final.status);
      expect(Number(row[2]![1])).toBe(run.final.iterations);
      header.slice(3).forEach((name, c) => {
        const [text, value] = row[c + 3]!;
        const entry = Object.entries(run.metrics).find(([key]) => key.endsWith(`/${name}`))?.[1];
        if (entry === undefined) {
          expect(text).toBe('—');
          return;
        }
        // Full precision in data-value equals the JSON's number exactly; the text is its 4-digit form.
        expect(Number(value)).toBe(entry.value);
        const stderr = entry.uncertainty?.stderr;
        expect(text).toBe(stderr === undefined ? formatNumber(entry.value) : `${formatNumber(entry.value)} ± ${formatNumber(stderr)}`);
        compared += 1;
      });
    });
    // Every fixed column was measured on banknote with all plugins on.
    expect(compared).toBe(3 * (header.length - 3));

    // Charts: the step loss, the evaluation metrics and the curvature, each an inline SVG with all three runs in its legend.
    const figures = [...doc.matchAll(/<figure class="chart" data-metric="([^"]*)">\n(<svg[\s\S]*?<\/svg>)\n<\/figure>/g)];
    const metrics = figures.map((f) => f[1]);
    for (const m of ['basics/loss', 'evaluate/train_loss', 'evaluate/test_accuracy', 'sharpness/lambda_max']) expect(metrics).toContain(m);
    expect(doc.match(/<svg/g)).toHaveLength(figures.length);
    for (const [, , svg] of figures) {
      const legend = svg!.match(/<g class="legend"[\s\S]*?<\/g>\n/)![0];
      expect([...legend.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['sgd', 'sgld', 'adam']);
    }
    // The step loss has one point per step: 70 vertices per run (35 steps × 2 epochs).
    const lossSvg = figures.find((f) => f[1] === 'basics/loss')![2]!;
    const vertices = [...lossSvg.matchAll(/<polyline points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
    expect(vertices).toEqual([70, 70, 70]);

    // Configuration and versions.
    expect(doc).toContain(`<tr><th>backend</th><td>${json.backend}</td></tr>`);
    expect(doc).toContain('<tr><th>tfjs</th><td>4.22.0</td></tr>');
    expect(doc).toContain(`<tr><th>node</th><td>${process.version}</td></tr>`);
    expect(doc).toContain(`<tr><th>kramers</th><td>${json.version}</td></tr>`);
    expect(doc).toContain('<tr><th>epochs</th><td class="num">2</td></tr>');
    expect(doc).toContain('<tr><th>config.learningRate</th><td class="num">0.1</td></tr>');
  });

  test('refuses a path it cannot write before training: exit 1, nothing printed on stdout', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const t0 = Date.now();
    const { code, out, err } = await kramers('compare', '--epochs', '1', '--backend', 'cpu', '--report', join(blocker, 'r.html'));
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/^kramers: --report .*a-file\/r\.html: cannot write there \(.*\); nothing was trained\n$/);
    expect(Date.now() - t0).toBeLessThan(5000);
    const asDir = await kramers('compare', '--epochs', '1', '--backend', 'cpu', '--report', dir);
    expect(asDir.code).toBe(1);
    expect(asDir.err).toContain('it is a directory; name a file such as report.html');
  });

  test('SIGINT mid-run: the report is still written, with the runs marked interrupted', async () => {
    const report = join(dir, 'interrupted.html');
    const events = join(dir, 'interrupted.jsonl');
    const run = startCli(['compare', '--epochs', '1000', '--backend', 'cpu', '--no-progress', '--out', events, '--report', report]);
    const size = () => (existsSync(events) ? statSync(events).size : 0);
    const t0 = Date.now();
    // Past the first epoch's measurements, so the charts have something in them.
    while (size() < 200_000 && run.child.exitCode === null && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    const doc = readFileSync(report, 'utf8');
    const { rows } = tableCells(doc);
    expect(rows.map((r) => [r[0]![0], r[1]![0]])).toEqual([['sgd', 'interrupted'], ['sgld', 'interrupted'], ['adam', 'interrupted']]);
    for (const r of rows) expect(Number(r[2]![1])).toBeGreaterThan(0);
    expect(doc).toContain('<tr><th>interrupted</th><td>true</td></tr>');
    expect(doc).toContain('data-metric="basics/loss"');
    expect(externalReferences(doc)).toEqual([]);
  });
});
