import { describe, expect, it } from 'vitest';
import { decodeTfEvent, encodeTfEvent, type TfWritableEvent } from './tensorboard-proto.js';

// Expected bytes are assembled by hand from the wire format (key = field << 3 | wire type; 1 = fixed64,
// 2 = length-delimited, 5 = fixed32, 0 = varint) and TensorFlow's field numbers; doubles are IEEE 754 little-endian.
const bytes = (...parts: string[]): Uint8Array => Uint8Array.from(Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('Event encoding', () => {
  it('file_version event: wall_time (1) and file_version (3), step 0 left out as proto3 does → 24 bytes', () => {
    const event: TfWritableEvent = { kind: 'file-version', wallTime: 1700000000.25, step: 0, fileVersion: 'brain.Event:2' };
    const expected = bytes('09 00001040fc54d941', '1a 0d 627261696e2e4576656e743a32');
    expect(hex(encodeTfEvent(event))).toBe(hex(expected));
    expect(expected.length).toBe(24);
    expect(decodeTfEvent(expected)).toEqual(event);
  });

  it('scalar: summary (5) → value (1) → tag (1), simple_value (2, float32)', () => {
    const event: TfWritableEvent = { kind: 'summary', wallTime: 1.5, step: 3, values: [{ kind: 'scalar', tag: 'a/b', value: 0.25 }] };
    const expected = bytes('09 000000000000f83f', '10 03', '2a 0c', '0a 0a', '0a 03 612f62', '15 0000803e');
    expect(hex(encodeTfEvent(event))).toBe(hex(expected));
    expect(decodeTfEvent(expected)).toEqual(event);
  });

  it('histogram: histo (5) with min..sum_squares (1–5) and packed bucket_limit (6), bucket (7)', () => {
    const histogram = { min: 0, max: 2, num: 9, sum: 6, sumSquares: 12.25, bucketLimit: [1, 2], bucket: [4, 5] };
    const event: TfWritableEvent = { kind: 'summary', wallTime: 2, step: 300, values: [{ kind: 'histogram', tag: 'h', histogram }] };
    const histo = [
      '09 0000000000000000', '11 0000000000000040', '19 0000000000002240', '21 0000000000001840', '29 0000000000802840',
      '32 10 000000000000f03f 0000000000000040', '3a 10 0000000000001040 0000000000001440',
    ];
    // 300 = 0b10_0101100 → varint ac 02; histo is 5·9 + 2·18 = 81 (0x51) bytes, the value 86 (0x56), the summary 88 (0x58).
    const expected = bytes('09 0000000000000040', '10 ac02', '2a 58', '0a 56', '0a 01 68', '2a 51', ...histo);
    expect(hex(encodeTfEvent(event))).toBe(hex(expected));
    expect(decodeTfEvent(expected)).toEqual(event);
  });

  it('round-trips large and negative int64 steps and several values; float32 rounding is visible', () => {
    const big: TfWritableEvent = {
      kind: 'summary', wallTime: 1.25, step: 2 ** 40 + 1,
      values: [{ kind: 'scalar', tag: 'x', value: 0.1 }, { kind: 'scalar', tag: 'é/√', value: -Infinity }],
    };
    const read = decodeTfEvent(encodeTfEvent(big));
    expect(read).toMatchObject({ kind: 'summary', step: 2 ** 40 + 1 });
    expect(read.kind === 'summary' && read.values).toEqual([
      { kind: 'scalar', tag: 'x', value: 0.10000000149011612 },
      { kind: 'scalar', tag: 'é/√', value: -Infinity },
    ]);
    // int64 −1 is ten bytes of two's complement: ff×9 then 01.
    const negative = encodeTfEvent({ kind: 'file-version', wallTime: 0, step: -1, fileVersion: '' });
    expect(hex(negative.subarray(9, 20))).toBe('10ffffffffffffffffff01');
    expect(decodeTfEvent(negative).step).toBe(-1);
  });

  it('reads unpacked repeated doubles and reports content it does not model by field number', () => {
    // bucket_limit (6) and bucket (7) as fixed64 fields (keys 0x31, 0x39) instead of packed.
    const histo = bytes('31 000000000000f03f', '39 0000000000001040');
    const value = bytes('0a 01 68', '2a', histo.length.toString(16).padStart(2, '0'), hex(histo));
    const event = bytes('2a', (value.length + 2).toString(16).padStart(2, '0'), '0a', value.length.toString(16).padStart(2, '0'), hex(value));
    const read = decodeTfEvent(event);
    expect(read.kind === 'summary' && read.values[0]).toEqual({
      kind: 'histogram', tag: 'h', histogram: { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [1], bucket: [4] },
    });
    // graph_def (4) only; an image (4) in a value.
    expect(decodeTfEvent(bytes('09 000000000000f83f', '22 01 00'))).toEqual({ kind: 'other', wallTime: 1.5, step: 0, fields: [4] });
    expect(decodeTfEvent(bytes('2a 07', '0a 05', '0a 01 68', '22 00'))).toMatchObject({ values: [{ kind: 'other', tag: 'h', fields: [4] }] });
  });

  it('rejects a non-integer step and mismatched histogram arrays, and names truncated input', () => {
    expect(() => encodeTfEvent({ kind: 'summary', wallTime: 0, step: 1.5, values: [] })).toThrow(/step must be a safe integer/);
    const histogram = { min: 0, max: 1, num: 1, sum: 0, sumSquares: 0, bucketLimit: [1, 2], bucket: [1] };
    expect(() => encodeTfEvent({ kind: 'summary', wallTime: 0, step: 0, values: [{ kind: 'histogram', tag: 'h', histogram }] })).toThrow(
      /bucketLimit has 2 entries but bucket has 1/,
    );
    expect(() => decodeTfEvent(bytes('09 0000'))).toThrow(/Event ends inside a field/);
    expect(() => decodeTfEvent(bytes('10 ff'))).toThrow(/Event ends inside a varint/);
  });
});
