import { describe, expect, it } from 'vitest';
import { decodeTfRecords, encodeTfRecord, TF_RECORD_OVERHEAD } from './tensorboard-record.js';
import { maskedCrc32c } from './crc32c.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('TFRecord framing', () => {
  it('lays a record out as length, masked length CRC, data, masked data CRC (little-endian)', () => {
    const data = new TextEncoder().encode('123456789');
    const record = encodeTfRecord(data);
    expect(record.length).toBe(9 + TF_RECORD_OVERHEAD);
    expect(hex(record.subarray(0, 8))).toBe('0900000000000000');
    const view = new DataView(record.buffer);
    expect(view.getUint32(8, true)).toBe(maskedCrc32c(record.subarray(0, 8)));
    expect(hex(record.subarray(12, 21))).toBe(hex(data));
    // crc32c("123456789") = 0xE3069283, masked by hand to 0xC78AB0E5.
    expect(hex(record.subarray(21))).toBe('e5b08ac7');
  });

  it('splits a stream of records back, including an empty one', () => {
    const payloads = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(300).fill(7)];
    const stream = Buffer.concat(payloads.map(encodeTfRecord));
    expect(stream.length).toBe(303 + 3 * TF_RECORD_OVERHEAD);
    expect(decodeTfRecords(stream).map(hex)).toEqual(payloads.map(hex));
    expect(decodeTfRecords(new Uint8Array(0))).toEqual([]);
  });

  it('detects a changed byte in the length, the data or a checksum, and truncation', () => {
    const stream = Buffer.concat([encodeTfRecord(new Uint8Array([1, 2, 3])), encodeTfRecord(new Uint8Array([4, 5, 6, 7]))]);
    const flip = (at: number): Buffer => {
      const copy = Buffer.from(stream);
      copy[at]! ^= 0x01;
      return copy;
    };
    expect(() => decodeTfRecords(flip(0), 'x')).toThrow(/x: length CRC mismatch in the record at byte 0/);
    expect(() => decodeTfRecords(flip(9))).toThrow(/length CRC mismatch/);
    expect(() => decodeTfRecords(flip(13))).toThrow(/data CRC mismatch in the record at byte 0/);
    expect(() => decodeTfRecords(flip(19 + 14))).toThrow(/data CRC mismatch in the record at byte 19/);
    expect(() => decodeTfRecords(flip(19 + 12 + 4))).toThrow(/data CRC mismatch in the record at byte 19/);
    expect(() => decodeTfRecords(stream.subarray(0, stream.length - 1))).toThrow(/truncated record at byte 19/);
    expect(() => decodeTfRecords(stream.subarray(0, 19 + 5))).toThrow(/truncated record header at byte 19/);
  });
});
