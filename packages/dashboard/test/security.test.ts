import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../src/index.js';
import { request } from './helpers.js';

let dash: Dashboard;
beforeAll(async () => {
  dash = await startDashboard();
});
afterAll(() => dash.close());

describe('dashboard server security', () => {
  it('binds loopback by default and serves every asset with strict headers', async () => {
    expect(dash.url).toBe(`http://127.0.0.1:${dash.port}/`);
    const expected: Array<[string, string]> = [
      ['/', 'text/html'],
      ['/index.html', 'text/html'],
      ['/app.js', 'text/javascript'],
      ['/app.css', 'text/css'],
      ['/charts.js', 'text/javascript'],
      ['/charts.css', 'text/css'],
      ['/uPlot.iife.min.js', 'text/javascript'],
      ['/uPlot.min.css', 'text/css'],
    ];
    for (const [path, type] of expected) {
      const r = await request(dash.port, path);
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type']).toContain(type);
      expect(r.headers['cache-control']).toBe('no-store');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['content-security-policy']).toContain("default-src 'none'");
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
      expect(r.body.length, path).toBeGreaterThan(100);
      const head = await request(dash.port, path, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
      expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(r.body));
    }
    expect((await request(dash.port, '/uPlot.iife.min.js')).body).toContain('uPlot');
  });

  it('refuses traversal (raw and percent-encoded) and unknown paths', async () => {
    const cases: Array<[string, number]> = [
      ['/../package.json', 400],
      ['/%2e%2e/package.json', 400],
      ['/%2E%2E%2Fpackage.json', 400],
      ['/%252e%252e/package.json', 400],
      ['/assets/../../x', 400],
      ['/..%5c..%5cpackage.json', 400],
      ['/package.json', 404],
      ['/assets/app.js', 404],
      ['/src/index.ts', 404],
      ['/node_modules/uplot/package.json', 404],
      ['/favicon.ico', 404],
      ['/%ZZ', 400],
    ];
    for (const [path, status] of cases) {
      const r = await request(dash.port, path);
      expect(r.status, path).toBe(status);
      expect(r.body).not.toContain('"name"');
    }
  });

  it('answers only GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const r = await request(dash.port, '/', method);
      expect(r.status, method).toBe(405);
      expect(r.headers['allow']).toBe('GET, HEAD');
    }
  });

  it('answers an oversized request head with 431', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(dash.port, '127.0.0.1', () => {
        socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    expect((await request(dash.port, '/', 'GET', { Host: 'evil.example:80' })).status).toBe(403);
    expect((await request(dash.port, '/', 'GET', { Host: `localhost:${dash.port}` })).status).toBe(200);
  });

  it('refuses a non-loopback bind unless exposure is asked for, naming the option', async () => {
    await expect(startDashboard({ host: '0.0.0.0' })).rejects.toThrow(/allowNetwork: true/);
    await expect(startDashboard({ host: '192.168.1.10' })).rejects.toThrow(/not a loopback address/);
    await expect(startDashboard({ port: 70000 })).rejects.toThrow(/port must be an integer/);
    const local = await startDashboard({ host: 'localhost' });
    await local.close();
    const open = await startDashboard({ host: '0.0.0.0', allowNetwork: true });
    expect(open.url).toBe(`http://0.0.0.0:${open.port}/`);
    await open.close();
  });
});
