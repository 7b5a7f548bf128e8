/**
 * A minimal ASN.1 DER reader: enough to walk X.509 certificates. Only low tag numbers (< 31) occur in
 * X.509, so the multi-byte tag form is rejected, as is BER's indefinite length. As strict as mozilla::pkix's
 * reader (pkixder.cpp): lengths, INTEGERs and BOOLEANs in their one DER form, times as RFC 5280 writes them.
 */

/** Identifier octets of the universal types X.509 uses. */
export const DerTag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

const CONTEXT_CLASS = 0x80;
const CONSTRUCTED = 0x20;

/** Identifier octet of a context-specific tag `[number]`; explicit tags are always constructed. */
export function contextTag(number: number, constructed: boolean): number {
  return CONTEXT_CLASS | (constructed ? CONSTRUCTED : 0) | number;
}

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

/** One tag-length-value element. `encoded` is the whole TLV, as signatures and hashes need it. */
export interface DerElement {
  readonly tag: number;
  readonly contents: Uint8Array<ArrayBuffer>;
  readonly encoded: Uint8Array<ArrayBuffer>;
}

/** Reads the one element that spans `bytes` exactly. */
export function readDer(bytes: Uint8Array<ArrayBuffer>): DerElement {
  const elements = readElements(bytes);
  if (elements.length !== 1) throw new DerError(`expected one DER element, found ${elements.length}`);
  return elements[0]!;
}

/** The elements of a constructed element (SEQUENCE, SET, explicit tag), checking its tag. */
export function childrenOf(element: DerElement, tag: number): DerElement[] {
  expectTag(element, tag);
  return readElements(element.contents);
}

export function expectTag(element: DerElement, tag: number): DerElement {
  if (element.tag !== tag) {
    throw new DerError(`expected tag 0x${tag.toString(16)}, found 0x${element.tag.toString(16)}`);
  }
  return element;
}

function readElements(bytes: Uint8Array<ArrayBuffer>): DerElement[] {
  const elements: DerElement[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const start = offset;
    const tag = bytes[offset++]!;
    if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tag numbers are not supported");
    const length = readLength();
    if (offset + length > bytes.length) throw new DerError("element runs past the end of its container");
    elements.push({
      tag,
      contents: bytes.subarray(offset, offset + length),
      encoded: bytes.subarray(start, offset + length),
    });
    offset += length;
  }
  return elements;

  function readLength(): number {
    if (offset >= bytes.length) throw new DerError("truncated length");
    const first = bytes[offset++]!;
    if (first < 0x80) return first;
    const octets = first & 0x7f;
    if (octets === 0) throw new DerError("indefinite length is not DER");
    // Like mozilla::pkix: at most two length octets (64 KiB), in the shortest form.
    if (octets > 2 || offset + octets > bytes.length) throw new DerError("unsupported or truncated length");
    let length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + bytes[offset++]!;
    if (length < 0x80 || (octets === 2 && length < 0x100)) throw new DerError("length not in its shortest form");
    return length;
  }
}

export function readOid(element: DerElement): string {
  const bytes = expectTag(element, DerTag.OID).contents;
  if (bytes.length === 0) throw new DerError("empty OID");
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    arcs.push(value);
    value = 0;
  }
  if (bytes[bytes.length - 1]! & 0x80) throw new DerError("truncated OID");
  // The first subidentifier packs the first two arcs: 40 * first + second (first is 0, 1 or 2).
  const head = arcs.shift()!;
  const first = Math.min(Math.floor(head / 40), 2);
  return [first, head - first * 40, ...arcs].join(".");
}

/** An INTEGER's contents, checked to be in DER's minimal two's-complement form. */
export function readIntegerBytes(element: DerElement): Uint8Array<ArrayBuffer> {
  const bytes = expectTag(element, DerTag.INTEGER).contents;
  if (bytes.length === 0) throw new DerError("empty INTEGER");
  if (bytes.length > 1 && (bytes[0] === 0 || bytes[0] === 0xff) && (bytes[0]! & 0x80) === (bytes[1]! & 0x80)) {
    throw new DerError("INTEGER not in its shortest form");
  }
  return bytes;
}

/** The magnitude of a non-negative INTEGER, big-endian, without leading zero octets. */
export function readUnsignedInteger(element: DerElement): Uint8Array<ArrayBuffer> {
  const bytes = readIntegerBytes(element);
  if (bytes[0]! & 0x80) throw new DerError("expected a non-negative INTEGER");
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

export function readBoolean(element: DerElement): boolean {
  const bytes = expectTag(element, DerTag.BOOLEAN).contents;
  if (bytes.length !== 1 || (bytes[0] !== 0 && bytes[0] !== 0xff)) throw new DerError("BOOLEAN must be 0x00 or 0xFF");
  return bytes[0] === 0xff;
}

/** A BIT STRING's bits as bytes (first bit = most significant bit of the first byte). */
export function readBitString(element: DerElement): Uint8Array<ArrayBuffer> {
  const bytes = expectTag(element, DerTag.BIT_STRING).contents;
  if (bytes.length === 0 || bytes[0]! > 7) throw new DerError("malformed BIT STRING");
  return bytes.subarray(1);
}

/** A BIT STRING that holds whole bytes (signatures, keys), as mozilla::pkix requires of those. */
export function readOctetAlignedBitString(element: DerElement): Uint8Array<ArrayBuffer> {
  if (expectTag(element, DerTag.BIT_STRING).contents[0] !== 0) throw new DerError("BIT STRING with unused bits");
  return readBitString(element);
}

/** The text of any string type X.509 names use. */
export function readString(element: DerElement): string {
  const bytes = element.contents;
  switch (element.tag) {
    case DerTag.UTF8_STRING:
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    case DerTag.PRINTABLE_STRING:
    case DerTag.IA5_STRING:
    case DerTag.TELETEX_STRING:
      return String.fromCharCode(...bytes);
    case DerTag.BMP_STRING:
      return new TextDecoder("utf-16be", { fatal: true }).decode(bytes);
    default:
      throw new DerError(`tag 0x${element.tag.toString(16)} is not a supported string type`);
  }
}

/**
 * UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`), the forms RFC 5280 allows
 * and mozilla::pkix reads: no fractions, no offsets, no year before 1970, every field in its range.
 */
export function readTime(element: DerElement): Date {
  const text = String.fromCharCode(...element.contents);
  let match: RegExpExecArray | null;
  let year: number;
  if (element.tag === DerTag.UTC_TIME && (match = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text))) {
    const yy = Number(match[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (
    element.tag === DerTag.GENERALIZED_TIME &&
    (match = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text))
  ) {
    year = Number(match[1]);
  } else {
    throw new DerError(`malformed time ${JSON.stringify(text)}`);
  }
  const [month, day, hour, minute, second] = match.slice(2, 7).map(Number) as [number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls over out-of-range fields (February 30 → March 2): a date that does not read back is invalid.
  if (
    year < 1970 ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new DerError(`invalid time ${JSON.stringify(text)}`);
  }
  return date;
}
