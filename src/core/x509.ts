/**
 * X.509 certificate parsing (RFC 5280), limited to what content-signature chains need: the signed TBS
 * bytes and signature, names, validity, the public key, and the CA / key-usage extensions.
 */
import {
  childrenOf,
  contextTag,
  DerTag,
  expectTag,
  readBitString,
  readBoolean,
  readDer,
  readOid,
  readString,
  readTime,
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

export type PublicKeyType = { readonly kind: "ec"; readonly curve: CurveName } | { readonly kind: "rsa" };

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
  /** basicConstraints cA; false when the extension is absent. */
  readonly isCA: boolean;
  /** undefined when the keyUsage extension is absent. */
  readonly keyUsage: ReadonlySet<KeyUsage> | undefined;
  /** undefined when the extendedKeyUsage extension is absent. */
  readonly extendedKeyUsage: readonly string[] | undefined;
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
  return Array.from(pem.matchAll(PEM_CERTIFICATE), (match) =>
    parseCertificate(base64Decode(match[1]!.replace(/\s+/g, ""))),
  );
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
  const [, innerAlgorithm, issuer, validity, subject, spki, ...optional] = positional;
  if (!innerAlgorithm || !issuer || !validity || !subject || !spki) throw new X509Error("TBSCertificate is truncated");
  if (!bytesEqual(innerAlgorithm.encoded, outerAlgorithm.encoded)) {
    throw new X509Error("signature algorithm differs inside and outside the TBSCertificate");
  }
  const [notBefore, notAfter] = childrenOf(validity, DerTag.SEQUENCE).map(readTime);
  if (!notBefore || !notAfter) throw new X509Error("Validity is truncated");
  const extensions = readExtensions(optional.find((field) => field.tag === contextTag(3, true)));
  const basicConstraints = extensions.get(Oid.basicConstraints);
  const keyUsage = extensions.get(Oid.keyUsage);
  const extendedKeyUsage = extensions.get(Oid.extendedKeyUsage);
  return {
    der,
    tbs: tbs.encoded,
    signatureAlgorithm: readSignatureAlgorithm(outerAlgorithm),
    signature: readBitString(signatureValue),
    issuer: readName(issuer),
    subject: readName(subject),
    notBefore,
    notAfter,
    publicKey: readPublicKeyInfo(spki),
    isCA: basicConstraints ? readIsCA(basicConstraints) : false,
    keyUsage: keyUsage ? readKeyUsage(keyUsage) : undefined,
    extendedKeyUsage: extendedKeyUsage ? childrenOf(extendedKeyUsage, DerTag.SEQUENCE).map(readOid) : undefined,
  };
}

function readSignatureAlgorithm(algorithmIdentifier: DerElement): SignatureAlgorithm {
  const [oid] = childrenOf(algorithmIdentifier, DerTag.SEQUENCE);
  if (!oid) throw new X509Error("empty AlgorithmIdentifier");
  const algorithm = SIGNATURE_ALGORITHMS[readOid(oid)];
  if (!algorithm) throw new X509Error(`unsupported signature algorithm ${readOid(oid)}`);
  return algorithm;
}

function readPublicKeyInfo(spki: DerElement): PublicKeyInfo {
  const [algorithmIdentifier] = childrenOf(spki, DerTag.SEQUENCE);
  if (!algorithmIdentifier) throw new X509Error("empty SubjectPublicKeyInfo");
  const [oid, parameters] = childrenOf(algorithmIdentifier, DerTag.SEQUENCE);
  const keyOid = oid ? readOid(oid) : "";
  if (keyOid === Oid.rsaEncryption) return { spki: spki.encoded, type: { kind: "rsa" } };
  if (keyOid === Oid.ecPublicKey && parameters?.tag === DerTag.OID) {
    const curve = CURVES[readOid(parameters)];
    if (curve) return { spki: spki.encoded, type: { kind: "ec", curve } };
  }
  throw new X509Error(`unsupported public key algorithm ${keyOid}`);
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

/** Extension values (the DER inside each extnValue OCTET STRING) by OID. */
function readExtensions(wrapper: DerElement | undefined): Map<string, DerElement> {
  const extensions = new Map<string, DerElement>();
  if (!wrapper) return extensions;
  const [list] = childrenOf(wrapper, contextTag(3, true));
  if (!list) throw new X509Error("empty extensions");
  for (const extension of childrenOf(list, DerTag.SEQUENCE)) {
    const parts = childrenOf(extension, DerTag.SEQUENCE);
    const oid = parts[0];
    const value = parts[parts.length - 1]; // the optional `critical` BOOLEAN sits between them
    if (!oid || !value || parts.length > 3) throw new X509Error("malformed extension");
    const id = readOid(oid);
    if (extensions.has(id)) throw new X509Error(`duplicate extension ${id}`);
    extensions.set(id, readDer(expectTag(value, DerTag.OCTET_STRING).contents));
  }
  return extensions;
}

function readIsCA(basicConstraints: DerElement): boolean {
  const [cA] = childrenOf(basicConstraints, DerTag.SEQUENCE);
  return cA?.tag === DerTag.BOOLEAN ? readBoolean(cA) : false;
}

function readKeyUsage(keyUsage: DerElement): ReadonlySet<KeyUsage> {
  const bits = readBitString(keyUsage);
  return new Set(KEY_USAGE_BITS.filter((_, index) => ((bits[index >> 3] ?? 0) >> (7 - (index & 7))) & 1));
}
