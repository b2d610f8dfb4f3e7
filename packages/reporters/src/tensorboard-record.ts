/**
 * TFRecord framing, the container of TensorBoard event files: each record is
 *   uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes | data | uint32 masked CRC-32C of data
 * (TensorFlow's record_writer.cc). Readers stop trusting a file at the first bad checksum.
 */
import { maskedCrc32c } from './crc32c.js';

/** Bytes a record adds around its data: 8 length + 4 length CRC + 4 data CRC. */
export const TF_RECORD_OVERHEAD = 16;

/** One record framing `data`. */
export function encodeTfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + TF_RECORD_OVERHEAD);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  // uint64 split in two uint32 halves: lengths stay far below 2⁵³, so the division is exact.
  view.setUint32(0, data.length >>> 0, true);
  view.setUint32(4, Math.floor(data.length / 2 ** 32), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/**
 * Splits `bytes` into record payloads, verifying both CRCs of every record. Throws, naming `source` and the byte
 * offset, on a truncated record or a checksum mismatch.
 */
export function decodeTfRecords(bytes: Uint8Array, source = 'TFRecord data'): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < 12) {
      throw new Error(`${source}: truncated record header at byte ${offset} (${bytes.length - offset} bytes left, 12 needed)`);
    }
    const lengthCrc = maskedCrc32c(bytes.subarray(offset, offset + 8));
    if (lengthCrc !== view.getUint32(offset + 8, true)) {
      throw new Error(`${source}: length CRC mismatch in the record at byte ${offset}: the file is corrupt`);
    }
    const length = view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 2 ** 32;
    const start = offset + 12;
    const end = start + length;
    if (end + 4 > bytes.length) {
      throw new Error(`${source}: truncated record at byte ${offset}: ${length} data bytes + 4 CRC bytes declared, ${bytes.length - start} present`);
    }
    const data = bytes.subarray(start, end);
    if (maskedCrc32c(data) !== view.getUint32(end, true)) {
      throw new Error(`${source}: data CRC mismatch in the record at byte ${offset}: the file is corrupt`);
    }
    records.push(data);
    offset = end + 4;
  }
  return records;
}
