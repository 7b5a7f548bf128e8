/**
 * Encodings mozilla::pkix refuses (pkixder.cpp) that a lenient reader would take: we refuse them too, so a
 * certificate Firefox cannot read never verifies here.
 */
import { ECDH, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DerError, readBoolean, readDer, readIntegerBytes, readTime } from "../../src/core/der.js";
import { Oid, parsePemChain } from "../../src/core/index.js";
import { derBitString, derElement, derOid, derSequence, derTime } from "../../server/derWriter.js";
import { parseCertificate } from "../../src/core/x509.js";
import { caExtensions, distinguishedName, issueCertificate, toPem } from "../../server/pki.js";

const bytes = (...values: number[]) => Uint8Array.from(values);
const element = (tag: number, text: string) => readDer(derElement(tag, new TextEncoder().encode(text)));
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

describe("DER as strict as mozilla::pkix", () => {
  it("lengths in their shortest form, at most two octets", () => {
    expect(readDer(bytes(0x04, 0x81, 0x80, ...new Uint8Array(0x80))).contents).toHaveLength(0x80);
    expect(() => readDer(bytes(0x04, 0x81, 0x01, 0x00))).toThrow(DerError);
    expect(() => readDer(bytes(0x04, 0x82, 0x00, 0x01, 0x00))).toThrow(DerError);
    expect(() => readDer(bytes(0x04, 0x83, 0x01, 0x00, 0x00))).toThrow(DerError);
  });

  it("BOOLEANs are 0x00 or 0xFF", () => {
    expect(readBoolean(readDer(bytes(0x01, 0x01, 0xff)))).toBe(true);
    expect(readBoolean(readDer(bytes(0x01, 0x01, 0x00)))).toBe(false);
    expect(() => readBoolean(readDer(bytes(0x01, 0x01, 0x01)))).toThrow(DerError);
  });

  it("INTEGERs without redundant leading octets", () => {
    expect(readIntegerBytes(readDer(bytes(0x02, 0x02, 0x00, 0x80)))).toEqual(bytes(0x00, 0x80));
    expect(() => readIntegerBytes(readDer(bytes(0x02, 0x02, 0x00, 0x7f)))).toThrow(DerError);
    expect(() => readIntegerBytes(readDer(bytes(0x02, 0x02, 0xff, 0x80)))).toThrow(DerError);
    expect(() => readIntegerBytes(readDer(bytes(0x02, 0x00)))).toThrow(DerError);
  });

  it("times as RFC 5280 writes them: no fractions, real dates, not before 1970", () => {
    expect(readTime(element(UTC_TIME, "280229120000Z"))).toEqual(new Date("2028-02-29T12:00:00Z"));
    expect(() => readTime(element(UTC_TIME, "270229120000Z"))).toThrow(DerError); // 2027 is no leap year
    expect(() => readTime(element(UTC_TIME, "260101240000Z"))).toThrow(DerError);
    expect(() => readTime(element(GENERALIZED_TIME, "20260101120000.5Z"))).toThrow(DerError);
    expect(() => readTime(element(UTC_TIME, "690101000000Z"))).toThrow(DerError);
    expect(readTime(readDer(derTime(new Date("2060-01-02T03:04:05Z"))))).toEqual(new Date("2060-01-02T03:04:05Z"));
  });
});

describe("certificates mozilla::pkix cannot read do not parse", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const valid = issueCertificate({
    subjectName: "strictness",
    publicKey,
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2027-01-01T00:00:00Z"),
    extensions: caExtensions(),
    issuerName: distinguishedName("strictness"),
    issuerKey: privateKey,
  });
  /** The certificate with its TBSCertificate's fields passed through `edit`, re-encoded (signature kept). */
  const withTbsFields = (edit: (fields: Uint8Array[]) => Uint8Array[]) => {
    const [tbs, algorithm, signature] = derChildren(valid);
    return derSequence(derSequence(...edit(derChildren(tbs!))), algorithm!, signature!);
  };

  it("the unedited certificate parses (the control)", () => {
    expect(parsePemChain(toPem(valid))[0]?.subject.commonName).toBe("strictness");
    expect(parseCertificate(withTbsFields((fields) => fields)).subject.commonName).toBe("strictness");
  });

  it("refuses an unknown field after the extensions", () => {
    expect(() => parseCertificate(withTbsFields((fields) => [...fields, derElement(0xa4, bytes())]))).toThrow();
  });

  it("refuses a compressed EC point", () => {
    const uncompressed = publicKey.export({ format: "der", type: "spki" }).subarray(-97);
    const spki = (point: Uint8Array) =>
      derSequence(derSequence(derOid(Oid.ecPublicKey), derOid(Oid.p384)), derBitString(point));
    const withKey = (point: Uint8Array) =>
      withTbsFields((fields) => fields.map((field, index) => (index === 6 ? spki(point) : field)));
    expect(parseCertificate(withKey(uncompressed)).publicKey.type).toEqual({ kind: "ec", curve: "P-384" });
    const compressed = ECDH.convertKey(uncompressed, "secp384r1", undefined, undefined, "compressed") as Buffer;
    expect(() => parseCertificate(withKey(compressed))).toThrow(/uncompressed/);
  });
});

function derChildren(der: Uint8Array): Uint8Array[] {
  const children: Uint8Array[] = [];
  const element = readDer(Uint8Array.from(der));
  let offset = 0;
  while (offset < element.contents.length) {
    const child = readFirst(element.contents.subarray(offset));
    children.push(child);
    offset += child.length;
  }
  return children;
}

function readFirst(bytes: Uint8Array): Uint8Array {
  const first = bytes[1]!;
  const lengthOctets = first < 0x80 ? 0 : first & 0x7f;
  let length = first < 0x80 ? first : 0;
  for (let i = 0; i < lengthOctets; i++) length = length * 256 + bytes[2 + i]!;
  return bytes.subarray(0, 2 + lengthOctets + length);
}
