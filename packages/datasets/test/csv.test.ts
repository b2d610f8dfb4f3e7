import { describe, expect, it } from 'vitest';
import { parseCsv } from '@kramers/datasets';

const parse = (text: string) => parseCsv(text, { source: 'bad.csv' });

describe('parseCsv', () => {
  it('reads header, features (row-major) and labels; LF, CRLF, BOM and trailing newlines give the same result', () => {
    const lf = 'a,b,label\n1.5,-2,0\n3e-2,.5,2\n';
    const variants = [lf, lf.replace(/\n/g, '\r\n'), `\ufeff${lf}`, 'a,b,label\n1.5,-2,0\n3e-2,.5,2', `${lf}\n\r\n`];
    for (const text of variants) {
      const ds = parse(text);
      expect(ds.featureNames).toEqual(['a', 'b']);
      expect(ds.labelName).toBe('label');
      expect([ds.rows, ds.cols, ds.numClasses]).toEqual([2, 2, 3]);
      expect(Array.from(ds.exactFeatures!)).toEqual([1.5, -2, 0.03, 0.5]);
      expect(Array.from(ds.features)).toEqual([1.5, -2, Math.fround(0.03), 0.5]);
      expect(Array.from(ds.labels)).toEqual([0, 2]);
      expect(ds.name).toBe('bad');
    }
  });

  it('numClasses option keeps absent classes', () => {
    expect(parseCsv('x,y\n1,0\n', { source: 's', numClasses: 3 }).numClasses).toBe(3);
    expect(() => parseCsv('x,y\n1,4\n', { source: 's', numClasses: 3 })).toThrow(
      's: createDataset(s): numClasses = 3 but the largest label is 4; numClasses must be an integer > every label',
    );
  });

  it('empty file', () => {
    expect(() => parse('')).toThrow('bad.csv: the file is empty; expected a header line and data rows');
    expect(() => parse('\n\r\n')).toThrow('bad.csv: the file is empty');
  });

  it('header only', () => {
    expect(() => parse('a,b,label\n')).toThrow('bad.csv: the file has a header but no data rows');
  });

  it('header with a single column', () => {
    expect(() => parse('label\n0\n')).toThrow('bad.csv line 1: the header has 1 column');
  });

  it('non-numeric feature names line, column and header', () => {
    expect(() => parse('a,b,label\n1,2,0\n1,abc,1\n')).toThrow(
      "bad.csv line 3, column 2 ('b'): 'abc' is not a number; feature values must be plain decimals such as -1.5 or 2e-3",
    );
    // Number('') is 0 and Number('0x10') is 16: both must be rejected, not read silently.
    expect(() => parse('a,b,label\n1,,0\n')).toThrow("bad.csv line 2, column 2 ('b'): '' is not a number");
    expect(() => parse('a,b,label\n0x10,1,0\n')).toThrow("bad.csv line 2, column 1 ('a'): '0x10' is not a number");
    expect(() => parse('a,b,label\nInfinity,1,0\n')).toThrow("column 1 ('a'): 'Infinity' is not a number");
  });

  it('wrong column count', () => {
    expect(() => parse('a,b,label\n1,2,0\n1,2\n')).toThrow(
      "bad.csv line 3: found 2 columns but the header has 3 (2 features + label 'label')",
    );
    expect(() => parse('a,b,label\n1,2,0,4\n')).toThrow('bad.csv line 2: found 4 columns but the header has 3');
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
