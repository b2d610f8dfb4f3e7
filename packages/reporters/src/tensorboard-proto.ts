/**
 * The slice of TensorFlow's `Event` / `Summary` / `HistogramProto` protobuf messages that TensorBoard needs for
 * scalars and histograms, encoded and decoded by hand (protobuf wire format: varint keys `field << 3 | wire type`).
 * Field numbers are TensorFlow's (tensorflow/core/util/event.proto, tensorflow/core/framework/summary.proto):
 *
 *   Event           wall_time 1 (double), step 2 (int64), file_version 3 (string), summary 5 (Summary)
 *   Summary         value 1 (repeated Value)
 *   Summary.Value   tag 1 (string), simple_value 2 (float), histo 5 (HistogramProto)
 *   HistogramProto  min 1, max 2, num 3, sum 4, sum_squares 5 (double), bucket_limit 6, bucket 7 (packed double)
 */

/** TensorBoard's histogram: bucket i holds `bucket[i]` values in (bucketLimit[i-1], bucketLimit[i]], the first from `min`. */
export interface TfHistogram {
  readonly min: number;
  readonly max: number;
  readonly num: number;
  readonly sum: number;
  readonly sumSquares: number;
  readonly bucketLimit: readonly number[];
  readonly bucket: readonly number[];
}

/** A scalar; stored as float32 (`simple_value`), so it reads back as `Math.fround(value)`. */
export interface TfScalarValue {
  readonly kind: 'scalar';
  readonly tag: string;
  readonly value: number;
}

export interface TfHistogramValue {
  readonly kind: 'histogram';
  readonly tag: string;
  readonly histogram: TfHistogram;
}

/** What the reader returns for a summary value holding neither simple_value nor histo (images, tensors, …). */
export interface TfOtherValue {
  readonly kind: 'other';
  readonly tag: string;
  /** Field numbers present in the Summary.Value. */
  readonly fields: readonly number[];
}

export type TfSummaryValue = TfScalarValue | TfHistogramValue;

/** The first record of every event file: `fileVersion` is "brain.Event:2". */
export interface TfFileVersionEvent {
  readonly kind: 'file-version';
  /** Seconds since the Unix epoch (TensorBoard's unit, not milliseconds). */
  readonly wallTime: number;
  readonly step: number;
  readonly fileVersion: string;
}

export interface TfSummaryEvent<V = TfSummaryValue> {
  readonly kind: 'summary';
  /** Seconds since the Unix epoch. */
  readonly wallTime: number;
  readonly step: number;
  readonly values: readonly V[];
}

/** What the reader returns for an Event holding neither file_version nor summary (graphs, session logs, …). */
export interface TfOtherEvent {
  readonly kind: 'other';
  readonly wallTime: number;
  readonly step: number;
  readonly fields: readonly number[];
}

/** What `encodeTfEvent` writes. */
export type TfWritableEvent = TfFileVersionEvent | TfSummaryEvent;
/** What `decodeTfEvent` reads: anything an event file may hold, unknown content named by its field numbers. */
export type TfEvent = TfFileVersionEvent | TfSummaryEvent<TfSummaryValue | TfOtherValue> | TfOtherEvent;

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Encoded pieces of a message, joined at the end; a child message is encoded before its length is written. */
type Bytes = Uint8Array[];

function concat(chunks: Bytes): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Base-128 varint, low group first (protobuf encoding guide); negative int64 as its 64-bit two's complement. */
function varint(value: bigint): Uint8Array {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

function key(out: Bytes, field: number, wire: number): void {
  out.push(varint(BigInt((field << 3) | wire)));
}

function double(out: Bytes, field: number, value: number): void {
  key(out, field, FIXED64);
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, value, true);
  out.push(b);
}

function float(out: Bytes, field: number, value: number): void {
  key(out, field, FIXED32);
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  out.push(b);
}

function bytesField(out: Bytes, field: number, value: Uint8Array): void {
  key(out, field, LENGTH_DELIMITED);
  out.push(varint(BigInt(value.length)));
  out.push(value);
}

function packedDoubles(out: Bytes, field: number, values: readonly number[]): void {
  const b = new Uint8Array(values.length * 8);
  const view = new DataView(b.buffer);
  values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  bytesField(out, field, b);
}

function encodeHistogram(h: TfHistogram): Uint8Array {
  if (h.bucketLimit.length !== h.bucket.length) {
    throw new RangeError(`encodeTfEvent: histogram bucketLimit has ${h.bucketLimit.length} entries but bucket has ${h.bucket.length}; give one limit per bucket`);
  }
  const out: Bytes = [];
  double(out, 1, h.min);
  double(out, 2, h.max);
  double(out, 3, h.num);
  double(out, 4, h.sum);
  double(out, 5, h.sumSquares);
  packedDoubles(out, 6, h.bucketLimit);
  packedDoubles(out, 7, h.bucket);
  return concat(out);
}

function encodeValue(v: TfSummaryValue): Uint8Array {
  const out: Bytes = [];
  bytesField(out, 1, utf8.encode(v.tag));
  if (v.kind === 'scalar') float(out, 2, v.value);
  else bytesField(out, 5, encodeHistogram(v.histogram));
  return concat(out);
}

/** One serialized `Event` message. */
export function encodeTfEvent(event: TfWritableEvent): Uint8Array {
  if (!Number.isSafeInteger(event.step)) {
    throw new RangeError(`encodeTfEvent: step must be a safe integer (an iteration count), got ${String(event.step)}`);
  }
  const out: Bytes = [];
  double(out, 1, event.wallTime);
  // Proto3 leaves a zero field out, as TensorFlow's writer does: its file_version record is then byte-identical.
  if (event.step !== 0) {
    key(out, 2, VARINT);
    out.push(varint(BigInt(event.step)));
  }
  if (event.kind === 'file-version') {
    bytesField(out, 3, utf8.encode(event.fileVersion));
  } else {
    const summary: Bytes = [];
    for (const v of event.values) bytesField(summary, 1, encodeValue(v));
    bytesField(out, 5, concat(summary));
  }
  return concat(out);
}

interface Field {
  readonly number: number;
  readonly wire: number;
  /** The varint of wire type 0. */
  readonly varint: bigint;
  /** The payload of wire types 1, 2 and 5. */
  readonly bytes: Uint8Array;
}

function parseFields(bytes: Uint8Array, message: string): Field[] {
  const fields: Field[] = [];
  let at = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= bytes.length) throw new Error(`decodeTfEvent: ${message} ends inside a varint`);
      const b = bytes[at++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new Error(`decodeTfEvent: ${message} has a varint longer than 10 bytes`);
  };
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw new Error(`decodeTfEvent: ${message} ends inside a field (${n} bytes needed, ${bytes.length - at} left)`);
    const b = bytes.subarray(at, at + n);
    at += n;
    return b;
  };
  while (at < bytes.length) {
    const k = readVarint();
    const number = Number(k >> 3n);
    const wire = Number(k & 7n);
    if (wire === VARINT) fields.push({ number, wire, varint: readVarint(), bytes: new Uint8Array(0) });
    else if (wire === FIXED64) fields.push({ number, wire, varint: 0n, bytes: take(8) });
    else if (wire === FIXED32) fields.push({ number, wire, varint: 0n, bytes: take(4) });
    else if (wire === LENGTH_DELIMITED) fields.push({ number, wire, varint: 0n, bytes: take(Number(readVarint())) });
    else throw new Error(`decodeTfEvent: ${message} field ${number} has wire type ${wire}, which this decoder does not read (groups are obsolete)`);
  }
  return fields;
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

function readDouble(f: Field, message: string): number {
  if (f.wire !== FIXED64) throw new Error(`decodeTfEvent: ${message} field ${f.number} should be a double (wire type 1), has wire type ${f.wire}`);
  return view(f.bytes).getFloat64(0, true);
}

function readString(f: Field, message: string): string {
  if (f.wire !== LENGTH_DELIMITED) throw new Error(`decodeTfEvent: ${message} field ${f.number} should be a string, has wire type ${f.wire}`);
  return utf8Strict.decode(f.bytes);
}

/** Repeated doubles, packed (one length-delimited field) or not (one fixed64 field per element): parsers accept both. */
function readDoubles(fs: readonly Field[], message: string): number[] {
  const out: number[] = [];
  for (const f of fs) {
    if (f.wire === FIXED64) out.push(readDouble(f, message));
    else if (f.wire === LENGTH_DELIMITED && f.bytes.length % 8 === 0) {
      const v = view(f.bytes);
      for (let i = 0; i < f.bytes.length; i += 8) out.push(v.getFloat64(i, true));
    } else throw new Error(`decodeTfEvent: ${message} field ${f.number} is not a packed double array`);
  }
  return out;
}

/** Proto3 semantics: the last occurrence of a singular field wins; an absent one is its zero value. */
const last = (fields: readonly Field[], n: number): Field | undefined => fields.filter((f) => f.number === n).at(-1);

function decodeHistogram(bytes: Uint8Array): TfHistogram {
  const m = 'HistogramProto';
  const fs = parseFields(bytes, m);
  const d = (n: number): number => {
    const f = last(fs, n);
    return f === undefined ? 0 : readDouble(f, m);
  };
  return {
    min: d(1),
    max: d(2),
    num: d(3),
    sum: d(4),
    sumSquares: d(5),
    bucketLimit: readDoubles(fs.filter((f) => f.number === 6), m),
    bucket: readDoubles(fs.filter((f) => f.number === 7), m),
  };
}

function decodeValue(bytes: Uint8Array): TfSummaryValue | TfOtherValue {
  const m = 'Summary.Value';
  const fs = parseFields(bytes, m);
  const tagField = last(fs, 1);
  const tag = tagField === undefined ? '' : readString(tagField, m);
  const simple = last(fs, 2);
  const histo = last(fs, 5);
  if (simple !== undefined) {
    if (simple.wire !== FIXED32) throw new Error(`decodeTfEvent: ${m} simple_value should be a float (wire type 5), has wire type ${simple.wire}`);
    return { kind: 'scalar', tag, value: view(simple.bytes).getFloat32(0, true) };
  }
  if (histo !== undefined) return { kind: 'histogram', tag, histogram: decodeHistogram(histo.bytes) };
  return { kind: 'other', tag, fields: [...new Set(fs.map((f) => f.number))].filter((n) => n !== 1) };
}

/** Decodes one serialized `Event`; content other than file_version and summary is reported by field number. */
export function decodeTfEvent(bytes: Uint8Array): TfEvent {
  const m = 'Event';
  const fs = parseFields(bytes, m);
  const wt = last(fs, 1);
  const wallTime = wt === undefined ? 0 : readDouble(wt, m);
  const st = last(fs, 2);
  if (st !== undefined && st.wire !== VARINT) throw new Error(`decodeTfEvent: Event step should be a varint, has wire type ${st.wire}`);
  const step = st === undefined ? 0 : Number(BigInt.asIntN(64, st.varint));
  const fv = last(fs, 3);
  if (fv !== undefined) return { kind: 'file-version', wallTime, step, fileVersion: readString(fv, m) };
  const summary = last(fs, 5);
  if (summary !== undefined) {
    const values = parseFields(summary.bytes, 'Summary')
      .filter((f) => f.number === 1)
      .map((f) => decodeValue(f.bytes));
    return { kind: 'summary', wallTime, step, values };
  }
  return { kind: 'other', wallTime, step, fields: [...new Set(fs.map((f) => f.number))].filter((n) => n !== 1 && n !== 2) };
}
