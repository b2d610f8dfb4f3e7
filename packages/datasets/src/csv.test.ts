import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

const parse = (text: string) => parseCsv(text, { source: 'bad.csv' });

describe('parseCsv', () => {
  it('reads header, features (row-major) and labels; LF, CRLF, BOM and trailing newlines give the same result', () => {
    const lf = 'a,b,label\n1.5,-2,0\n3e-2,.5,2\n';
    const variants = [lf, lf.replace(/\n/g, '\r\n'), `\ufeff${lf}`, 'a,b,label\n1.5,-2,0\n3e-2,.5,2', `${lf}\n\r\n`];
    for (const text of variants) {
      const ds = parse(text);
      expect(ds.task).toBe('classification');
      expect(ds.featureNames).toEqual(['a', 'b']);
      expect(ds.labelName).toBe('label');
      expect([ds.rows, ds.cols, ds.numClasses]).toEqual([2, 2, 3]);
      expect(Array.from(ds.exactFeatures!)).toEqual([1.5, -2, 0.03, 0.5]);
      expect(Array.from(ds.features)).toEqual([1.5, -2, Math.fround(0.03), 0.5]);
      expect(Array.from(ds.labels)).toEqual([0, 2]);
      expect(ds.name).toBe('bad');
    }
  });

  it('numClasses option keeps absent classes and bounds the labels', () => {
    expect(parseCsv('x,y\n1,0\n', { source: 's', numClasses: 3 }).numClasses).toBe(3);
    expect(() => parseCsv('x,y\n1,4\n', { source: 's', numClasses: 3 })).toThrow(
      "s line 2, column 2 ('y', the label): 4 is not below the 3 classes expected (labels 0..2)",
    );
  });

  it('empty file', () => {
    expect(() => parse('')).toThrow('bad.csv: the file is empty; expected data rows (and optionally a header line)');
    expect(() => parse('\n\r\n')).toThrow('bad.csv: the file is empty');
  });

  it('header only', () => {
    expect(() => parse('a,b,label\n')).toThrow('bad.csv: the file has a header but no data rows');
  });

  it('a single column', () => {
    expect(() => parse('label\n0\n')).toThrow('bad.csv line 1: 1 column; expected at least one feature column and the label column last');
  });

  it('non-numeric feature names line, column and header', () => {
    expect(() => parse('a,b,label\n1,2,0\n1,abc,1\n')).toThrow(
      "bad.csv line 3, column 2 ('b'): 'abc' is not a number; values must be plain decimals such as -1.5 or 2e-3",
    );
    // Number('') is 0 and Number('0x10') is 16: both must be rejected, not read silently.
    expect(() => parse('a,b,label\n1,,0\n')).toThrow("bad.csv line 2, column 2 ('b'): '' is not a number");
    expect(() => parse('a,b,label\n0x10,1,0\n')).toThrow("bad.csv line 2, column 1 ('a'): '0x10' is not a number");
    expect(() => parse('a,b,label\nInfinity,1,0\n')).toThrow("column 1 ('a'): 'Infinity' is not a number");
  });

  it('wrong column count', () => {
    expect(() => parse('a,b,label\n1,2,0\n1,2\n')).toThrow(
      "bad.csv line 3: found 2 columns but line 1 has 3 (2 features + label 'label')",
    );
    expect(() => parse('a,b,label\n1,2,0,4\n')).toThrow('bad.csv line 2: found 4 columns but line 1 has 3');
  });

  it('non-integer and negative labels', () => {
    expect(() => parse('a,b,label\n1,2,0.5\n')).toThrow(
      "bad.csv line 2, column 3 ('label', the label): '0.5' is not an integer; labels must be class indices 0, 1, 2, ...",
    );
    expect(() => parse('a,b,label\n1,2,cat\n')).toThrow("column 3 ('label', the label): 'cat' is not an integer");
    expect(() => parse('a,b,label\n1,2,0\n1,2,-1\n')).toThrow(
      "bad.csv line 3, column 3 ('label', the label): -1 is negative; labels must be class indices 0, 1, 2, ...",
    );
  });

  it('blank line inside the data', () => {
    expect(() => parse('a,b,label\n1,2,0\n\n1,2,1\n')).toThrow(
      'bad.csv line 3: the line is empty; blank lines are only allowed at the end of the file',
    );
  });

  it('CRLF errors still count lines correctly', () => {
    expect(() => parse('a,b,label\r\n1,2,0\r\n1,x,0\r\n')).toThrow("bad.csv line 3, column 2 ('b'): 'x' is not a number");
  });
});

describe('parseCsv header rule', () => {
  it('detects a header when a cell of line 1 is not a number; a headerless file keeps its first row', () => {
    const headerless = parse('1.5,-2,0\n3,4,1\n');
    expect(headerless.rows).toBe(2);
    expect(headerless.featureNames).toEqual(['column_1', 'column_2']);
    expect(headerless.labelName).toBe('column_3');
    expect(Array.from(headerless.features)).toEqual([1.5, -2, 3, 4]);
    expect(Array.from(headerless.labels)).toEqual([0, 1]);
    // One non-numeric cell is enough.
    expect(parse('x1,2,3\n1,2,0\n').featureNames).toEqual(['x1', '2']);
  });

  it('header: true reads line 1 as names even when they look like numbers', () => {
    const ds = parseCsv('1,2,3\n5,6,0\n', { source: 'n.csv', header: true });
    expect(ds.featureNames).toEqual(['1', '2']);
    expect(ds.rows).toBe(1);
  });

  it('header: false reads line 1 as data, and says so when it is not numeric', () => {
    expect(parseCsv('1,2,0\n', { source: 'n.csv', header: false }).rows).toBe(1);
    expect(() => parseCsv('a,b,label\n1,2,0\n', { source: 'h.csv', header: false })).toThrow(
      "h.csv line 1, column 1: 'a' is not a number; line 1 is read as data because the file was said to have no header",
    );
  });

  it('errors in a headerless file name line and column without a header name', () => {
    expect(() => parse('1,2,0\n1,x,0\n')).toThrow("bad.csv line 2, column 2: 'x' is not a number");
    expect(() => parse('1,2,0\n1,2,0.5\n')).toThrow("bad.csv line 2, column 3 (the label): '0.5' is not an integer");
  });
});

describe('parseCsv float32 range', () => {
  it.each(['1e39', '-1e39', '1e400', '3.5e38'])('refuses %s, naming file, line and column', (value) => {
    expect(() => parse(`a,b,label\n1,2,0\n1,${value},1\n`)).toThrow(
      `bad.csv line 3, column 2 ('b'): ${value} overflows float32 (largest magnitude 3.4028235e38); rescale the column`,
    );
  });

  it('accepts the largest finite float32 and values that underflow to 0', () => {
    const ds = parse('a,label\n3.4028234e38,0\n1e-50,0\n');
    expect(ds.features[0]).toBe(3.4028234663852886e38);
    expect(ds.features[1]).toBe(0);
    expect(ds.exactFeatures![1]).toBe(1e-50);
  });

  it('refuses an overflowing regression target too', () => {
    expect(() => parseCsv('x,y\n1,2e39\n', { source: 'r.csv', targets: 1 })).toThrow(
      "r.csv line 2, column 2 ('y', a target): 2e39 overflows float32",
    );
  });
});

describe('parseCsv regression targets', () => {
  it('reads the last N columns as float targets', () => {
    const ds = parseCsv('a,b,u,v\n1,2,0.5,-3\n4,5,29,1e-3\n', { source: 'reg.csv', targets: 2 });
    expect(ds.task).toBe('regression');
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect(ds.targetNames).toEqual(['u', 'v']);
    expect([ds.rows, ds.cols, ds.targetCount]).toEqual([2, 2, 2]);
    expect(Array.from(ds.targets)).toEqual([0.5, -3, 29, 1e-3].map(Math.fround));
    expect(Array.from(ds.features)).toEqual([1, 2, 4, 5]);
  });

  it('integer-looking targets stay numbers (abalone rings), not classes', () => {
    const ds = parseCsv('0.45,0.36,15\n0.35,0.26,7\n', { source: 'abalone.csv', targets: 1 });
    expect(ds.targetNames).toEqual(['column_3']);
    expect(Array.from(ds.targets)).toEqual([15, 7]);
  });

  it('bad target counts and non-numeric targets', () => {
    expect(() => parseCsv('a,b\n1,2\n', { source: 'r.csv', targets: 2 })).toThrow(
      'r.csv line 1: 2 columns; expected at least one feature column and the 2 target columns last',
    );
    expect(() => parseCsv('a,b\n1,2\n', { source: 'r.csv', targets: 0 })).toThrow('r.csv: targets = 0; the number of target columns must be an integer ≥ 1');
    expect(() => parseCsv('a,b,c\n1,2,x\n', { source: 'r.csv', targets: 2 })).toThrow("r.csv line 2, column 3 ('c', a target): 'x' is not a number");
    expect(() => parseCsv('a,b,c\n1,2\n', { source: 'r.csv', targets: 2 })).toThrow('r.csv line 2: found 2 columns but line 1 has 3 (1 feature + 2 targets)');
  });

  it('a regression set has no labels at compile time', () => {
    const ds = parseCsv('a,y\n1,2\n', { source: 'r.csv', targets: 1 });
    // @ts-expect-error labels exist on classification sets only
    expect(ds.labels).toBeUndefined();
  });
});
