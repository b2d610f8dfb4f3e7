import { createDataset } from './create-dataset.js';
import type { ClassificationDataset, Dataset, RegressionDataset } from './dataset.js';

interface CsvCommonOptions {
  /** Where the text came from (file path or name); every error message starts with it. */
  source: string;
  /** Dataset name; defaults to `source` without directories and a `.csv` extension. */
  name?: string;
  /**
   * Whether line 1 is a header row of column names: true, false, or undefined (the default) to detect it — line 1
   * is a header when at least one of its cells is not a number. A headerless file gets names column_1, column_2, ….
   */
  header?: boolean;
}

/** The last column is an integer class label ≥ 0. */
export interface ClassificationCsvOptions extends CsvCommonOptions {
  /** Number of classes, if some classes may be absent from this file; defaults to max(label) + 1. */
  numClasses?: number;
  targets?: undefined;
}

/** The last `targets` columns are float targets (regression). */
export interface RegressionCsvOptions extends CsvCommonOptions {
  /** How many of the last columns are targets, an integer ≥ 1; at least one feature column must remain. */
  targets: number;
  numClasses?: undefined;
}

export type ParseCsvOptions = ClassificationCsvOptions | RegressionCsvOptions;

// Plain decimals only: Number() would also accept '', ' ', '0x1f', 'Infinity' and '1_0' silently.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Parses a numeric CSV: an optional header row (see `header`), feature columns first, then either one integer class
 * label (≥ 0) or, with `targets: N`, N float target columns. Accepts LF or CRLF line endings, a UTF-8 byte-order mark
 * and trailing blank lines. Every value must be finite in float32 (|x| ≤ 3.4e38). Errors name the source, the
 * 1-based line and column, and the column's header name when there is a header.
 */
export function parseCsv(text: string, options: ClassificationCsvOptions): ClassificationDataset;
export function parseCsv(text: string, options: RegressionCsvOptions): RegressionDataset;
export function parseCsv(text: string, options: ParseCsvOptions): Dataset;
export function parseCsv(text: string, options: ParseCsvOptions): Dataset {
  const { source } = options;
  const name = options.name ?? defaultName(source);
  const lines = significantLines(text);
  if (lines.length === 0) throw new Error(`${source}: the file is empty; expected data rows (and optionally a header line)`);

  const first = lines[0]!.split(',').map((h) => unquote(h.trim()));
  const hasHeader = options.header ?? first.some((cell) => !DECIMAL.test(cell));
  const width = first.length;
  const targetCount = options.targets ?? 1;
  if (options.targets !== undefined && !(Number.isInteger(options.targets) && options.targets >= 1)) {
    throw new RangeError(`${source}: targets = ${String(options.targets)}; the number of target columns must be an integer ≥ 1`);
  }
  const cols = width - targetCount;
  if (cols < 1) {
    const what = options.targets === undefined ? 'the label column last' : `the ${targetCount} target column${targetCount > 1 ? 's' : ''} last`;
    throw new Error(`${source} line 1: ${width} column${width === 1 ? '' : 's'}; expected at least one feature column and ${what}`);
  }
  const names = hasHeader ? first : first.map((_, j) => `column_${j + 1}`);
  const dataStart = hasHeader ? 1 : 0;
  const rows = lines.length - dataStart;
  if (rows === 0) throw new Error(`${source}: the file has a header but no data rows`);

  const column = (j: number, role = ''): string => {
    const label = hasHeader || role !== '' ? ` (${[hasHeader ? `'${names[j]}'` : '', role].filter((s) => s !== '').join(', ')})` : '';
    return `column ${j + 1}${label}`;
  };
  const exact = new Float64Array(rows * cols);
  const labels = new Int32Array(options.targets === undefined ? rows : 0);
  const targets = new Float64Array(options.targets === undefined ? 0 : rows * targetCount);
  for (let r = 0; r < rows; r++) {
    const lineNo = r + dataStart + 1;
    const line = lines[r + dataStart]!;
    if (line.trim() === '') {
      throw new Error(`${source} line ${lineNo}: the line is empty; blank lines are only allowed at the end of the file`);
    }
    const cells = line.split(',');
    if (cells.length !== width) {
      const layout = options.targets === undefined ? `${cols} features + label '${names[cols]}'` : `${cols} feature${cols > 1 ? 's' : ''} + ${targetCount} target${targetCount > 1 ? 's' : ''}`;
      throw new Error(`${source} line ${lineNo}: found ${cells.length} columns but line 1 has ${width} (${layout})`);
    }
    const number = (j: number, role: string): number => {
      const cell = cells[j]!.trim();
      const at = `${source} line ${lineNo}, ${column(j, role)}`;
      if (!DECIMAL.test(cell)) {
        const hint =
          lineNo === 1 && options.header === false
            ? '; line 1 is read as data because the file was said to have no header'
            : '; values must be plain decimals such as -1.5 or 2e-3';
        throw new Error(`${at}: '${cells[j]}' is not a number${hint}`);
      }
      const value = Number(cell);
      if (!(Math.abs(value) <= FLOAT32_MAX)) {
        throw new Error(`${at}: ${cell} overflows float32 (largest magnitude 3.4028235e38); rescale the column`);
      }
      return value;
    };
    for (let c = 0; c < cols; c++) exact[r * cols + c] = number(c, '');
    if (options.targets !== undefined) {
      for (let t = 0; t < targetCount; t++) targets[r * targetCount + t] = number(cols + t, 'a target');
      continue;
    }
    const cell = cells[cols]!.trim();
    const where = `${source} line ${lineNo}, ${column(cols, 'the label')}`;
    const label = DECIMAL.test(cell) ? Number(cell) : NaN;
    if (!Number.isInteger(label)) {
      throw new Error(`${where}: '${cells[cols]}' is not an integer; labels must be class indices 0, 1, 2, ...`);
    }
    if (label < 0) throw new Error(`${where}: ${label} is negative; labels must be class indices 0, 1, 2, ...`);
    if (label > 0x7fffffff) throw new Error(`${where}: ${label} is too large for a class index`);
    if (options.numClasses !== undefined && label >= options.numClasses) {
      throw new Error(`${where}: ${label} is not below the ${options.numClasses} classes expected (labels 0..${options.numClasses - 1})`);
    }
    labels[r] = label;
  }
  const featureNames = names.slice(0, cols);
  if (options.targets !== undefined) {
    return createDataset({ name, featureNames, features: exact, targetNames: names.slice(cols), targets });
  }
  return createDataset({
    name,
    featureNames,
    features: exact,
    labelName: names[cols]!,
    labels,
    ...(options.numClasses !== undefined ? { numClasses: options.numClasses } : {}),
  });
}

/** The file's lines without a byte-order mark, CRs or trailing blank lines. */
function significantLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n').map((s) => (s.endsWith('\r') ? s.slice(0, -1) : s));
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines;
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
