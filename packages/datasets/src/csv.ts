import { createDataset, type Dataset } from './dataset.js';

export interface ParseCsvOptions {
  /** Where the text came from (file path or name); every error message starts with it. */
  source: string;
  /** Dataset name; defaults to `source` without directories and a `.csv` extension. */
  name?: string;
  /** Number of classes, if some classes may be absent from this file; defaults to max(label) + 1. */
  numClasses?: number;
}

// Plain decimals only: Number() would also accept '', ' ', '0x1f', 'Infinity' and '1_0' silently.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a numeric CSV: one header row, feature columns first, the integer class label (≥ 0) in the last column.
 * Accepts LF or CRLF line endings, a UTF-8 byte-order mark and trailing blank lines. Errors name the source,
 * the 1-based line and column, and the column's header name.
 */
export function parseCsv(text: string, options: ParseCsvOptions): Dataset {
  const { source } = options;
  const name = options.name ?? defaultName(source);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  const stripCr = (s: string): string => (s.endsWith('\r') ? s.slice(0, -1) : s);
  let last = lines.length;
  while (last > 0 && stripCr(lines[last - 1]!).trim() === '') last--;
  if (last === 0) throw new Error(`${source}: the file is empty; expected a header line and data rows`);

  const header = stripCr(lines[0]!).split(',').map((h) => unquote(h.trim()));
  if (header.length < 2) {
    throw new Error(
      `${source} line 1: the header has ${header.length} column; expected at least one feature column and the label column last`,
    );
  }
  const cols = header.length - 1;
  const rows = last - 1;
  if (rows === 0) throw new Error(`${source}: the file has a header but no data rows`);

  const exact = new Float64Array(rows * cols);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const lineNo = r + 2;
    const line = stripCr(lines[r + 1]!);
    if (line.trim() === '') {
      throw new Error(`${source} line ${lineNo}: the line is empty; blank lines are only allowed at the end of the file`);
    }
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new Error(
        `${source} line ${lineNo}: found ${cells.length} columns but the header has ${header.length} ` +
          `(${cols} features + label '${header[cols]}')`,
      );
    }
    for (let c = 0; c < cols; c++) {
      const cell = cells[c]!.trim();
      if (!DECIMAL.test(cell)) {
        throw new Error(
          `${source} line ${lineNo}, column ${c + 1} ('${header[c]}'): '${cells[c]}' is not a number; ` +
            `feature values must be plain decimals such as -1.5 or 2e-3`,
        );
      }
      exact[r * cols + c] = Number(cell);
    }
    const cell = cells[cols]!.trim();
    const label = DECIMAL.test(cell) ? Number(cell) : NaN;
    const where = `${source} line ${lineNo}, column ${cols + 1} ('${header[cols]}', the label)`;
    if (!Number.isInteger(label)) {
      throw new Error(`${where}: '${cells[cols]}' is not an integer; labels must be class indices 0, 1, 2, ...`);
    }
    if (label < 0) throw new Error(`${where}: ${label} is negative; labels must be class indices 0, 1, 2, ...`);
    if (label > 0x7fffffff) throw new Error(`${where}: ${label} is too large for a class index`);
    labels[r] = label;
  }
  try {
    return createDataset({
      name,
      featureNames: header.slice(0, cols),
      labelName: header[cols]!,
      features: exact,
      labels,
      ...(options.numClasses !== undefined ? { numClasses: options.numClasses } : {}),
    });
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
}

function unquote(s: string): string {
  return s.length >= 2 && ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")))
    ? s.slice(1, -1)
    : s;
}

function defaultName(source: string): string {
  const base = source.split(/[\\/]/).pop() ?? source;
  return base.replace(/\.csv$/i, '');
}
