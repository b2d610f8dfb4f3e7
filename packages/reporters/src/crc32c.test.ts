import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc32c, maskedCrc32c } from './crc32c.js';

describe('crc32c', () => {
  it('matches the standard check value and the RFC 3720 §B.4 vectors', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('reads a subarray by its own bytes, not its buffer', () => {
    const buf = new TextEncoder().encode('xx123456789yy');
    expect(crc32c(buf.subarray(2, 11))).toBe(0xe3069283);
  });
});

describe('maskCrc32c', () => {
  it('rotates right by 15 and adds 0xa282ead8 mod 2^32', () => {
    // By hand: 0xE3069283 rotated right 15 = 0x2507C60D; + 0xA282EAD8 = 0xC78AB0E5 (no carry out).
    expect(maskCrc32c(0xe3069283)).toBe(0xc78ab0e5);
    // 0 rotates to 0; the sum is the constant itself. 0xFFFFFFFF rotates to itself; + constant wraps to constant − 1.
    expect(maskCrc32c(0)).toBe(0xa282ead8);
    expect(maskCrc32c(0xffffffff)).toBe(0xa282ead7);
  });

  it('gives the length checksum every TensorFlow event file starts with (length 24 → a3 7f 4b 22)', () => {
    const length = new Uint8Array([0x18, 0, 0, 0, 0, 0, 0, 0]);
    expect(maskedCrc32c(length)).toBe(0x224b7fa3);
  });
});
