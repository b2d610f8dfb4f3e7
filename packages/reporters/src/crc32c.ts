/**
 * CRC-32C (Castagnoli), the checksum TFRecord framing uses. Node's zlib has no CRC-32C, and a 256-entry table is a
 * few lines, so no dependency is taken for it.
 */

/** Reflected Castagnoli polynomial (RFC 3720 §B.4). */
const POLY = 0x82f63b78;

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    // Reflected CRC: shift right, xor the polynomial when the low bit falls out (RFC 3720 §B.4).
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C of `bytes`: initial value and final xor 0xFFFFFFFF (RFC 3720 §B.4). Returns an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * The masked CRC TFRecord stores: rotate right by 15 and add 0xa282ead8 mod 2³² (TensorFlow's crc32c::Mask), so a
 * CRC of data that itself holds CRCs does not degenerate.
 */
export function maskCrc32c(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** `maskCrc32c(crc32c(bytes))`. */
export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc32c(crc32c(bytes));
}
