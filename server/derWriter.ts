/** A minimal ASN.1 DER writer: enough to build X.509 certificates. Each function returns one whole TLV. */
import { contextTag, DerTag } from "../src/core/index.js";

export function derElement(tag: number, contents: Uint8Array): Uint8Array<ArrayBuffer> {
  const length = encodeLength(contents.length);
  const element = new Uint8Array(1 + length.length + contents.length);
  element[0] = tag;
  element.set(length, 1);
  element.set(contents, 1 + length.length);
  return element;
}

/** Short form below 128, else 0x80 | octet count followed by the big-endian length. */
function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest & 0xff);
  return [0x80 | octets.length, ...octets];
}

export function derSequence(...children: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return derElement(DerTag.SEQUENCE, concatBytes(children));
}

/** A SET OF a single element needs no sorting; sets with several members are not needed here. */
export function derSet(child: Uint8Array): Uint8Array<ArrayBuffer> {
  return derElement(DerTag.SET, child);
}

/** A non-negative INTEGER from its big-endian magnitude. */
export function derInteger(magnitude: Uint8Array): Uint8Array<ArrayBuffer> {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const minimal = magnitude.subarray(start);
  // A set high bit would read as negative: prefix a zero octet.
  const contents = minimal.length === 0 || minimal[0]! & 0x80 ? concatBytes([Uint8Array.of(0), minimal]) : minimal;
  return derElement(DerTag.INTEGER, contents);
}

export function derBoolean(value: boolean): Uint8Array<ArrayBuffer> {
  return derElement(DerTag.BOOLEAN, Uint8Array.of(value ? 0xff : 0x00));
}

export function derNull(): Uint8Array<ArrayBuffer> {
  return derElement(DerTag.NULL, new Uint8Array());
}

export function derOid(oid: string): Uint8Array<ArrayBuffer> {
  const [first = 0, second = 0, ...rest] = oid.split(".").map(Number);
  const octets = [40 * first + second, ...rest].flatMap(base128);
  return derElement(DerTag.OID, Uint8Array.from(octets));
}

/** Base-128 digits, most significant first, with the continuation bit on all but the last. */
function base128(value: number): number[] {
  const digits = [value & 0x7f];
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128))
    digits.unshift(0x80 | (rest & 0x7f));
  return digits;
}

export function derBitString(bytes: Uint8Array, unusedBits = 0): Uint8Array<ArrayBuffer> {
  return derElement(DerTag.BIT_STRING, concatBytes([Uint8Array.of(unusedBits), bytes]));
}

/** A named-bit BIT STRING (like keyUsage) with the given bits set; DER drops trailing zero bits. */
export function derNamedBits(bitIndexes: readonly number[]): Uint8Array<ArrayBuffer> {
  const highest = Math.max(-1, ...bitIndexes);
  const bytes = new Uint8Array(Math.ceil((highest + 1) / 8));
  for (const index of bitIndexes) bytes[index >> 3]! |= 0x80 >> (index & 7);
  return derBitString(bytes, bytes.length * 8 - (highest + 1));
}

export function derOctetString(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return derElement(DerTag.OCTET_STRING, bytes);
}

export function derUtf8String(text: string): Uint8Array<ArrayBuffer> {
  return derElement(DerTag.UTF8_STRING, new TextEncoder().encode(text));
}

export function derIa5String(text: string): Uint8Array<ArrayBuffer> {
  // eslint-disable-next-line no-control-regex -- IA5 is the whole 7-bit range, controls included
  if (!/^[\x00-\x7f]*$/.test(text)) throw new RangeError("IA5String holds ASCII only");
  return derElement(DerTag.IA5_STRING, new TextEncoder().encode(text));
}

/** X.509 time (RFC 5280 §4.1.2.5): UTCTime for years 1950–2049, GeneralizedTime otherwise; seconds precision. */
export function derTime(date: Date): Uint8Array<ArrayBuffer> {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/\D/g, "");
  const year = date.getUTCFullYear();
  const [tag, text] =
    year >= 1950 && year < 2050 ? [DerTag.UTC_TIME, digits.slice(2)] : [DerTag.GENERALIZED_TIME, digits];
  return derElement(tag, new TextEncoder().encode(`${text}Z`));
}

/** `[number] EXPLICIT`: the element wrapped in a constructed context-specific tag. */
export function derExplicit(number: number, element: Uint8Array): Uint8Array<ArrayBuffer> {
  return derElement(contextTag(number, true), element);
}

/** `[number] IMPLICIT`: the element with its tag replaced, keeping primitive/constructed. */
export function derImplicit(number: number, element: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const retagged = element.slice();
  retagged[0] = contextTag(number, (element[0]! & 0x20) !== 0);
  return retagged;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
