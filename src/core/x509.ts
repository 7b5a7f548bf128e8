/**
 * X.509 certificate parsing (RFC 5280), limited to what content-signature chains need: the signed TBS
 * bytes and signature, names, validity, the public key, and the extensions mozilla::pkix acts on when
 * Firefox checks a content-signature chain (basicConstraints, keyUsage, extendedKeyUsage, subjectAltName,
 * nameConstraints). A malformed value of any of those makes the certificate unparseable, as mozilla::pkix
 * refuses such a certificate too.
 */
import {
  childrenOf,
  contextTag,
  DerTag,
  expectTag,
  readBitString,
  readBoolean,
  readIntegerBytes,
  readOctetAlignedBitString,
  readDer,
  readOid,
  readString,
  readTime,
  readUnsignedInteger,
  type DerElement,
} from "./der.js";
import { base64Decode, bytesEqual } from "./encoding.js";
import { Oid } from "./oids.js";

export type HashName = "SHA-256" | "SHA-384" | "SHA-512";
export type CurveName = "P-256" | "P-384" | "P-521";

/** How an issuer signed a certificate, in WebCrypto terms. */
export interface SignatureAlgorithm {
  readonly scheme: "ecdsa" | "rsa-pkcs1";
  readonly hash: HashName;
}

export type PublicKeyType =
  { readonly kind: "ec"; readonly curve: CurveName } | { readonly kind: "rsa"; readonly modulusBits: number };

export interface PublicKeyInfo {
  /** SubjectPublicKeyInfo DER, as WebCrypto's `importKey("spki", …)` takes it. */
  readonly spki: Uint8Array<ArrayBuffer>;
  readonly type: PublicKeyType;
}

export interface DistinguishedName {
  /** The Name's DER; issuer/subject matching compares these bytes. */
  readonly der: Uint8Array<ArrayBuffer>;
  readonly commonName: string | undefined;
}

/** Key usage bit names in bit order (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

export interface Certificate {
  readonly der: Uint8Array<ArrayBuffer>;
  /** The TBSCertificate DER: the bytes the issuer's signature covers. */
  readonly tbs: Uint8Array<ArrayBuffer>;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** As encoded in the certificate: DER `(r, s)` for ECDSA, the raw block for RSA. */
  readonly signature: Uint8Array<ArrayBuffer>;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: PublicKeyInfo;
  /** 1, 2 or 3 (the encoded value plus one). */
  readonly version: number;
  /** basicConstraints cA; false when the extension is absent. */
  readonly isCA: boolean;
  /** basicConstraints pathLenConstraint; undefined when absent (no limit). */
  readonly pathLengthConstraint: number | undefined;
  /** undefined when the keyUsage extension is absent. */
  readonly keyUsage: ReadonlySet<KeyUsage> | undefined;
  /** undefined when the extendedKeyUsage extension is absent. */
  readonly extendedKeyUsage: readonly string[] | undefined;
  /** undefined when the subjectAltName extension is absent. */
  readonly subjectAltName: SubjectAltName | undefined;
  /** undefined when the nameConstraints extension is absent. */
  readonly nameConstraints: NameConstraints | undefined;
  /**
   * Extensions the chain check refuses: critical ones neither we nor mozilla::pkix process, and the two that
   * mozilla::pkix acts on even when not critical but that content signing has no use for (see below).
   */
  readonly unsupportedExtensions: readonly string[];
}

export interface SubjectAltName {
  /** dNSName entries as written; other name types (IP addresses, e-mail, …) are read past. */
  readonly dnsNames: readonly string[];
}

/** The dNSName subtrees of a nameConstraints extension. */
export interface NameConstraints {
  readonly permittedDnsNames: readonly string[];
  readonly excludedDnsNames: readonly string[];
  /** A subtree of another name type, or with `minimum` / `maximum`: the chain check does not evaluate those. */
  readonly hasOtherSubtrees: boolean;
}

export class X509Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "X509Error";
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/g;

/** All certificates of a PEM text, in order. Text outside the BEGIN/END blocks is ignored. */
export function parsePemChain(pem: string): Certificate[] {
  return pemCertificateBlocks(pem).map((block) => parseCertificate(base64Decode(block)));
}

/** The base64 text of each certificate block of a PEM text, whitespace removed, in order. */
export function pemCertificateBlocks(pem: string): string[] {
  return Array.from(pem.matchAll(PEM_CERTIFICATE), (match) => match[1]!.replace(/\s+/g, ""));
}

const SIGNATURE_ALGORITHMS: Readonly<Record<string, SignatureAlgorithm>> = {
  [Oid.ecdsaWithSha256]: { scheme: "ecdsa", hash: "SHA-256" },
  [Oid.ecdsaWithSha384]: { scheme: "ecdsa", hash: "SHA-384" },
  [Oid.ecdsaWithSha512]: { scheme: "ecdsa", hash: "SHA-512" },
  [Oid.sha256WithRsaEncryption]: { scheme: "rsa-pkcs1", hash: "SHA-256" },
  [Oid.sha384WithRsaEncryption]: { scheme: "rsa-pkcs1", hash: "SHA-384" },
  [Oid.sha512WithRsaEncryption]: { scheme: "rsa-pkcs1", hash: "SHA-512" },
};

const CURVES: Readonly<Record<string, CurveName>> = {
  [Oid.p256]: "P-256",
  [Oid.p384]: "P-384",
  [Oid.p521]: "P-521",
};

/** Parses one DER certificate. Throws X509Error or DerError when it is malformed or unsupported. */
export function parseCertificate(der: Uint8Array<ArrayBuffer>): Certificate {
  const [tbs, outerAlgorithm, signatureValue, ...rest] = childrenOf(readDer(der), DerTag.SEQUENCE);
  if (!tbs || !outerAlgorithm || !signatureValue || rest.length) throw new X509Error("Certificate is not 3 elements");
  const fields = childrenOf(tbs, DerTag.SEQUENCE);
  // version [0] is optional (v1 certificates); everything after it is positional.
  const first = fields[0];
  const positional = first?.tag === contextTag(0, true) ? fields.slice(1) : fields;
  const [serialNumber, innerAlgorithm, issuer, validity, subject, spki, ...optional] = positional;
  if (!serialNumber || !innerAlgorithm || !issuer || !validity || !subject || !spki)
    throw new X509Error("TBSCertificate is truncated");
  readIntegerBytes(serialNumber); // any value, as mozilla::pkix reads it, but a well-formed INTEGER
  if (!bytesEqual(innerAlgorithm.encoded, outerAlgorithm.encoded)) {
    throw new X509Error("signature algorithm differs inside and outside the TBSCertificate");
  }
  const [notBefore, notAfter, ...extraTimes] = childrenOf(validity, DerTag.SEQUENCE).map(readTime);
  if (!notBefore || !notAfter || extraTimes.length) throw new X509Error("malformed Validity");
  const extensions = readExtensions(readOptionalFields(optional));
  const value = (oid: string) => {
    const extension = extensions.get(oid);
    return extension && readDer(extension.value);
  };
  const basicConstraints = value(Oid.basicConstraints);
  const keyUsage = value(Oid.keyUsage);
  const extendedKeyUsage = value(Oid.extendedKeyUsage);
  const subjectAltName = value(Oid.subjectAltName);
  const nameConstraints = value(Oid.nameConstraints);
  const [isCA, pathLengthConstraint] = basicConstraints ? readBasicConstraints(basicConstraints) : [false, undefined];
  return {
    der,
    tbs: tbs.encoded,
    signatureAlgorithm: readSignatureAlgorithm(outerAlgorithm),
    signature: readOctetAlignedBitString(signatureValue),
    issuer: readName(issuer),
    subject: readName(subject),
    notBefore,
    notAfter,
    publicKey: readPublicKeyInfo(spki),
    version: first?.tag === contextTag(0, true) ? readVersion(first) : 1,
    isCA,
    pathLengthConstraint,
    keyUsage: keyUsage ? readKeyUsage(keyUsage) : undefined,
    extendedKeyUsage: extendedKeyUsage ? readExtendedKeyUsage(extendedKeyUsage) : undefined,
    subjectAltName: subjectAltName ? { dnsNames: readGeneralNames(subjectAltName) } : undefined,
    nameConstraints: nameConstraints ? readNameConstraints(nameConstraints) : undefined,
    unsupportedExtensions: [...extensions]
      .filter(([oid, { critical }]) => isUnsupported(oid, critical))
      .map(([oid]) => oid),
  };
}

/**
 * Extensions mozilla::pkix processes or safely ignores, so they may be critical. Certificate policies do not
 * matter: Firefox checks content signatures for any policy. The key identifiers are not among them: mozilla::pkix
 * refuses them when critical.
 */
const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([
  Oid.basicConstraints,
  Oid.keyUsage,
  Oid.extendedKeyUsage,
  Oid.subjectAltName,
  Oid.nameConstraints,
  Oid.certificatePolicies,
  Oid.policyConstraints,
  Oid.inhibitAnyPolicy,
  Oid.authorityInfoAccess,
]);

/**
 * Refused even when not critical, stricter than Firefox: mozilla::pkix requires a TLS feature of an issuer
 * to be repeated by its subject and parses an end-entity's embedded SCT list. Neither means anything for
 * content signing, and Autograph issues neither, so we refuse them rather than reproduce those rules.
 */
const REFUSED_EXTENSIONS: ReadonlySet<string> = new Set([Oid.tlsFeature, Oid.embeddedSctList]);

function isUnsupported(oid: string, critical: boolean): boolean {
  return REFUSED_EXTENSIONS.has(oid) || (critical && !UNDERSTOOD_EXTENSIONS.has(oid));
}

function readVersion(wrapper: DerElement): number {
  const [version] = childrenOf(wrapper, contextTag(0, true));
  const bytes = version && readUnsignedInteger(version);
  if (!bytes || bytes.length !== 1 || bytes[0]! > 2) throw new X509Error("unsupported certificate version");
  return bytes[0]! + 1;
}

/**
 * What follows the key: issuerUniqueID [1] and subjectUniqueID [2] (read past), then the extensions [3], in that
 * order and nothing else, as mozilla::pkix reads them. Returns the extensions field, if any.
 */
function readOptionalFields(fields: readonly DerElement[]): DerElement | undefined {
  const allowed = [contextTag(1, false), contextTag(2, false), contextTag(3, true)];
  let next = 0;
  for (const field of fields) {
    const position = allowed.indexOf(field.tag, next);
    if (position === -1) throw new X509Error(`unexpected TBSCertificate field 0x${field.tag.toString(16)}`);
    next = position + 1;
  }
  return fields.find((field) => field.tag === contextTag(3, true));
}

/** Parameters, when present, must be NULL (mozilla::pkix allows that for RSA and ECDSA alike). */
function readSignatureAlgorithm(algorithmIdentifier: DerElement): SignatureAlgorithm {
  const [oid, parameters, ...rest] = childrenOf(algorithmIdentifier, DerTag.SEQUENCE);
  if (!oid) throw new X509Error("empty AlgorithmIdentifier");
  if (rest.length || (parameters && !isNull(parameters)))
    throw new X509Error("unexpected signature algorithm parameters");
  const algorithm = SIGNATURE_ALGORITHMS[readOid(oid)];
  if (!algorithm) throw new X509Error(`unsupported signature algorithm ${readOid(oid)}`);
  return algorithm;
}

/** Bytes of one coordinate (and of r and s) on each curve. */
export const FIELD_BYTES: Readonly<Record<CurveName, number>> = { "P-256": 32, "P-384": 48, "P-521": 66 };

/** The key, checked as mozilla::pkix checks it (pkixcheck.cpp `CheckSubjectPublicKeyInfoContents`). */
function readPublicKeyInfo(spki: DerElement): PublicKeyInfo {
  const [algorithmIdentifier, subjectPublicKey, ...rest] = childrenOf(spki, DerTag.SEQUENCE);
  if (!algorithmIdentifier || !subjectPublicKey || rest.length) throw new X509Error("malformed SubjectPublicKeyInfo");
  const key = readOctetAlignedBitString(subjectPublicKey);
  const [oid, parameters, ...extra] = childrenOf(algorithmIdentifier, DerTag.SEQUENCE);
  const keyOid = oid ? readOid(oid) : "";
  if (keyOid === Oid.rsaEncryption && parameters && isNull(parameters) && !extra.length) {
    return { spki: spki.encoded, type: { kind: "rsa", modulusBits: readModulusBits(key) } };
  }
  const curve =
    keyOid === Oid.ecPublicKey && parameters?.tag === DerTag.OID && !extra.length
      ? CURVES[readOid(parameters)]
      : undefined;
  if (curve) {
    // An uncompressed point: 0x04, then both coordinates at the curve's full size.
    if (key[0] !== 0x04 || key.length !== 1 + 2 * FIELD_BYTES[curve])
      throw new X509Error("EC point not in uncompressed form");
    return { spki: spki.encoded, type: { kind: "ec", curve } };
  }
  throw new X509Error(`unsupported public key algorithm ${keyOid}`);
}

/** The RSA modulus size as mozilla::pkix counts it: its significant bytes times eight. */
function readModulusBits(key: Uint8Array<ArrayBuffer>): number {
  const [modulus, exponent, ...rest] = childrenOf(readDer(key), DerTag.SEQUENCE);
  if (!modulus || !exponent || rest.length) throw new X509Error("malformed RSA key");
  readUnsignedInteger(exponent);
  return readUnsignedInteger(modulus).length * 8;
}

function isNull(element: DerElement): boolean {
  return element.tag === DerTag.NULL && element.contents.length === 0;
}

function readName(name: DerElement): DistinguishedName {
  let commonName: string | undefined;
  for (const relativeName of childrenOf(name, DerTag.SEQUENCE)) {
    for (const attribute of childrenOf(relativeName, DerTag.SET)) {
      const [type, value] = childrenOf(attribute, DerTag.SEQUENCE);
      if (type && value && readOid(type) === Oid.commonName) commonName = readString(value);
    }
  }
  return { der: name.encoded, commonName };
}

/** Extension values (the bytes inside each extnValue OCTET STRING) and criticality, by OID. */
function readExtensions(
  wrapper: DerElement | undefined,
): Map<string, { critical: boolean; value: Uint8Array<ArrayBuffer> }> {
  const extensions = new Map<string, { critical: boolean; value: Uint8Array<ArrayBuffer> }>();
  if (!wrapper) return extensions;
  const [list] = childrenOf(wrapper, contextTag(3, true));
  if (!list) throw new X509Error("empty extensions");
  for (const extension of childrenOf(list, DerTag.SEQUENCE)) {
    const parts = childrenOf(extension, DerTag.SEQUENCE);
    const oid = parts[0];
    const value = parts[parts.length - 1]; // the optional `critical` BOOLEAN sits between them
    if (!oid || !value || parts.length > 3) throw new X509Error("malformed extension");
    const id = readOid(oid);
    // Stricter than mozilla::pkix, which tolerates duplicates of extensions it does not understand.
    if (extensions.has(id)) throw new X509Error(`duplicate extension ${id}`);
    const critical = parts.length === 3 && readBoolean(parts[1]!);
    extensions.set(id, { critical, value: expectTag(value, DerTag.OCTET_STRING).contents });
  }
  return extensions;
}

function readBasicConstraints(basicConstraints: DerElement): [isCA: boolean, pathLength: number | undefined] {
  const fields = childrenOf(basicConstraints, DerTag.SEQUENCE);
  const isCA = fields[0]?.tag === DerTag.BOOLEAN ? readBoolean(fields.shift()!) : false;
  const [pathLength, ...rest] = fields;
  if (rest.length) throw new X509Error("malformed basicConstraints");
  if (!pathLength) return [isCA, undefined];
  // mozilla::pkix reads 0 to 127 only.
  const bytes = readIntegerBytes(pathLength);
  if (bytes.length !== 1 || bytes[0]! > 127) throw new X509Error("basicConstraints pathLenConstraint out of range");
  return [isCA, bytes[0]!];
}

/** Like mozilla::pkix: an empty bit mask, or padding bits that are not zero, make the extension malformed. */
function readKeyUsage(keyUsage: DerElement): ReadonlySet<KeyUsage> {
  const contents = expectTag(keyUsage, DerTag.BIT_STRING).contents;
  const unusedBits = contents[0] ?? 8;
  const bits = readBitString(keyUsage);
  if (bits.length === 0 || (bits[bits.length - 1]! & ((1 << unusedBits) - 1)) !== 0) {
    throw new X509Error("malformed keyUsage");
  }
  return new Set(KEY_USAGE_BITS.filter((_, index) => ((bits[index >> 3] ?? 0) >> (7 - (index & 7))) & 1));
}

function readExtendedKeyUsage(extendedKeyUsage: DerElement): string[] {
  const purposes = childrenOf(extendedKeyUsage, DerTag.SEQUENCE).map(readOid);
  if (purposes.length === 0) throw new X509Error("empty extendedKeyUsage");
  return purposes;
}

/** GeneralName tags (RFC 5280 §4.2.1.6); any other tag is malformed, as mozilla::pkix has it. */
const GENERAL_NAME_TAGS: ReadonlySet<number> = new Set([
  contextTag(0, true),
  contextTag(1, false),
  contextTag(2, false),
  contextTag(3, true),
  contextTag(4, true),
  contextTag(5, true),
  contextTag(6, false),
  contextTag(7, false),
  contextTag(8, false),
]);
const DNS_NAME_TAG = contextTag(2, false);

/** The dNSName entries of a non-empty GeneralNames SEQUENCE. */
function readGeneralNames(names: DerElement): string[] {
  const entries = childrenOf(names, DerTag.SEQUENCE);
  if (entries.length === 0) throw new X509Error("empty subjectAltName");
  return entries.flatMap((entry) => {
    if (!GENERAL_NAME_TAGS.has(entry.tag)) throw new X509Error(`unknown GeneralName tag 0x${entry.tag.toString(16)}`);
    return entry.tag === DNS_NAME_TAG ? [readIa5(entry)] : [];
  });
}

function readIa5(element: DerElement): string {
  if (element.contents.some((byte) => byte > 0x7f)) throw new X509Error("IA5String holds ASCII only");
  return String.fromCharCode(...element.contents);
}

function readNameConstraints(nameConstraints: DerElement): NameConstraints {
  const constraints = { permittedDnsNames: [] as string[], excludedDnsNames: [] as string[], hasOtherSubtrees: false };
  const parts = childrenOf(nameConstraints, DerTag.SEQUENCE);
  if (parts.length === 0) throw new X509Error("empty nameConstraints");
  for (const part of parts) {
    const target =
      part.tag === contextTag(0, true)
        ? constraints.permittedDnsNames
        : part.tag === contextTag(1, true)
          ? constraints.excludedDnsNames
          : undefined;
    if (!target) throw new X509Error("malformed nameConstraints");
    for (const subtree of childrenOf(part, part.tag)) {
      const [base, ...bounds] = childrenOf(subtree, DerTag.SEQUENCE);
      if (!base || !GENERAL_NAME_TAGS.has(base.tag)) throw new X509Error("malformed GeneralSubtree");
      if (base.tag === DNS_NAME_TAG && bounds.length === 0) target.push(readIa5(base));
      else constraints.hasOtherSubtrees = true;
    }
  }
  return constraints;
}
