import { describe, expect, it } from 'vitest';
import { DEFAULT_BOUNDARY, describeBoundary, formatBoundary, parseBoundary } from './index.js';

describe('parseBoundary', () => {
  it('reads the four forms and formats them back', () => {
    expect(parseBoundary('box:0.05')).toEqual({ kind: 'box', radius: 0.05 });
    expect(parseBoundary(' ball:3e-1 ')).toEqual({ kind: 'ball', radius: 0.3 });
    expect(parseBoundary('col')).toEqual({ kind: 'col' });
    expect(parseBoundary('midway')).toEqual({ kind: 'midway' });
    for (const s of ['box:0.05', 'ball:0.3', 'col', 'midway']) expect(formatBoundary(parseBoundary(s))).toBe(s);
    expect(DEFAULT_BOUNDARY).toEqual({ kind: 'midway' });
  });

  it('refuses bad rules with the accepted forms in the message', () => {
    expect(() => parseBoundary('box')).toThrow("boundary 'box': 'box' needs a radius, e.g. 'box:0.05' (before the 1/√k rescaling)");
    expect(() => parseBoundary('ball:')).toThrow("'ball' needs a radius");
    expect(() => parseBoundary('box:-1')).toThrow("boundary 'box:-1': the radius must be a decimal number > 0, e.g. 'box:0.05'");
    expect(() => parseBoundary('box:0')).toThrow('the radius must be a decimal number > 0');
    expect(() => parseBoundary('box:0x10')).toThrow('the radius must be a decimal number > 0');
    expect(() => parseBoundary('box:Infinity')).toThrow('the radius must be a decimal number > 0');
    expect(() => parseBoundary('col:0.1')).toThrow("boundary 'col:0.1': 'col' takes no radius; write 'col'");
    expect(() => parseBoundary('cube:1')).toThrow(
      "boundary 'cube:1': unknown rule 'cube'; use box:<radius>, ball:<radius>, col or midway (e.g. 'box:0.05')",
    );
    expect(() => parseBoundary('')).toThrow("unknown rule ''");
  });
});

describe('describeBoundary', () => {
  it('leads with the parseable token and says what is measured', () => {
    expect(describeBoundary({ kind: 'box', radius: 0.05 })).toBe(
      "box:0.05 (out when any |θ_i − θ_start,i| > 0.05/√k; barrier is the box's, not the col's)",
    );
    expect(describeBoundary({ kind: 'ball', radius: 0.3 })).toMatch(/^ball:0\.3 \(out when ‖θ − θ_start‖₂ > 0\.3\/√k/);
    expect(describeBoundary({ kind: 'col' })).toMatch(/^col .*half of these crossings return/);
    expect(describeBoundary({ kind: 'midway' })).toMatch(/^midway .*Kramers\/Xie/);
  });
});
