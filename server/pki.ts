/**
 * The local server's content-signing PKI: a root CA, an intermediate CA and one P-384 leaf per signer,
 * shaped like Autograph's chains so the add-on verifies them exactly as it verifies Mozilla's.
 *
 * Generated on first start under `<dataDir>/pki/` (keys as PKCS#8 PEM, certificates as PEM) and reused
 * after, so the root hash pinned in a client's prefs stays valid. A certificate that is missing, does not
 * match its key, or is not valid at load time is re-issued, and so is everything below it; the root is
 * kept as long as it is valid (ten years).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CONTENT_SIGNATURE_PREFIX,
  KEY_USAGE_BITS,
  Oid,
  parsePemChain,
  type Certificate,
  type KeyUsage,
} from "../src/core/index.js";
import {
  derBitString,
  derBoolean,
  derExplicit,
  derIa5String,
  derImplicit,
  derInteger,
  derNamedBits,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derTime,
  derUtf8String,
} from "./derWriter.js";
import { writeFileAtomically } from "./atomicFile.js";
import { PREVIEW_COLLECTION_SIGNER, PREVIEW_RECIPE_SIGNER } from "../src/core/index.js";

const SIGNER_NAMES = [
  "normandy.content-signature.mozilla.org",
  "remote-settings.content-signature.mozilla.org",
  PREVIEW_RECIPE_SIGNER,
  PREVIEW_COLLECTION_SIGNER,
] as const;
export type SignerName = (typeof SIGNER_NAMES)[number];

export interface SigningPki {
  /** SHA-256 of the root certificate's DER, uppercase hex pairs joined by ":" (Firefox pref format). */
  readonly rootHash: string;
  /** PEM chain text, leaf first (leaf, intermediate, root), for a signer. */
  chainPem(signer: SignerName): string;
  /** Content signature over "Content-Signature:\x00" + data: base64url (no padding) of raw r||s, 96 bytes. */
  sign(signer: SignerName, data: string): Promise<string>;
}

/** A key pair with its certificate, as kept on disk. */
interface Identity {
  readonly privateKey: KeyObject;
  readonly certificate: Certificate;
  readonly pem: string;
}

/** The O= of every name the local PKI issues. */
export const ORGANIZATION = "Normandy local recipe server";
const ROOT_NAME = "Normandy local content-signature root";
const INTERMEDIATE_NAME = "Normandy local content-signature intermediate";
/** Backdating absorbs clock differences between the server and the clients checking its chains. */
const BACKDATE_MS = 24 * 60 * 60 * 1000;

export async function loadOrCreatePki(dataDir: string, options: { now?: Date } = {}): Promise<SigningPki> {
  const directory = join(dataDir, "pki");
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const now = options.now ?? new Date();
  const store = { directory, now };

  const root = ensureIdentity(store, "root", { commonName: ROOT_NAME, years: 10, extensions: caExtensions() });
  const intermediate = ensureIdentity(
    store,
    "intermediate",
    { commonName: INTERMEDIATE_NAME, years: 5, extensions: caExtensions() },
    root,
  );
  const chains = new Map<SignerName, { privateKey: KeyObject; pem: string }>();
  for (const signer of SIGNER_NAMES) {
    const leaf = ensureIdentity(
      store,
      signer,
      { commonName: signer, years: 1, extensions: signerExtensions(signer) },
      intermediate,
    );
    chains.set(signer, {
      privateKey: leaf.identity.privateKey,
      pem: leaf.identity.pem + intermediate.identity.pem + root.identity.pem,
    });
  }

  const chainFor = (signer: SignerName) => {
    const chain = chains.get(signer);
    if (!chain) throw new Error(`unknown signer ${signer}`);
    return chain;
  };
  return {
    rootHash: fingerprint(root.identity.certificate.der),
    chainPem: (signer) => chainFor(signer).pem,
    sign: (signer, data) => signContent(chainFor(signer).privateKey, data),
  };
}

/** Content signature as Autograph makes it: ECDSA P-384/SHA-384, raw r||s, base64url without padding. */
export function signContent(privateKey: KeyObject, data: string): Promise<string> {
  const signed = Buffer.from(CONTENT_SIGNATURE_PREFIX + data, "utf8");
  return new Promise((resolve, reject) => {
    sign("sha384", signed, { key: privateKey, dsaEncoding: "ieee-p1363" }, (error, signature) => {
      if (error) reject(error);
      else resolve(signature.toString("base64url"));
    });
  });
}

interface IdentityProfile {
  commonName: string;
  years: number;
  extensions: Uint8Array[];
}

interface EnsuredIdentity {
  identity: Identity;
  /** True when issued during this load: everything it signs must then be re-issued too. */
  issued: boolean;
}

function ensureIdentity(
  store: { directory: string; now: Date },
  fileName: string,
  profile: IdentityProfile,
  issuer?: EnsuredIdentity,
): EnsuredIdentity {
  const keyPath = join(store.directory, `${fileName}.key.pem`);
  const certificatePath = join(store.directory, `${fileName}.cert.pem`);
  const existing = readIdentity(keyPath, certificatePath);
  if (existing && !issuer?.issued && isValidAt(existing.certificate, store.now))
    return { identity: existing, issued: false };

  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const notBefore = new Date(store.now.getTime() - BACKDATE_MS);
  const notAfter = new Date(store.now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + profile.years);
  const issuerCertificate = issuer?.identity.certificate;
  const der = issueCertificate({
    subjectName: profile.commonName,
    publicKey,
    // A certificate never outlives its issuer.
    notBefore,
    notAfter: issuerCertificate && issuerCertificate.notAfter < notAfter ? issuerCertificate.notAfter : notAfter,
    extensions: profile.extensions,
    issuerName: issuerCertificate?.subject.der ?? distinguishedName(profile.commonName),
    issuerKey: issuer?.identity.privateKey ?? privateKey,
  });
  const pem = toPem(der);
  writeFileAtomically(keyPath, Buffer.from(privateKey.export({ type: "pkcs8", format: "pem" })));
  writeFileAtomically(certificatePath, Buffer.from(pem));
  return { identity: { privateKey, certificate: parsePemChain(pem)[0]!, pem }, issued: true };
}

/** The stored identity, or undefined when a file is missing or the key does not belong to the certificate. */
function readIdentity(keyPath: string, certificatePath: string): Identity | undefined {
  let keyPem: string;
  let pem: string;
  try {
    keyPem = readFileSync(keyPath, "utf8");
    pem = readFileSync(certificatePath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const privateKey = createPrivateKey(keyPem);
  const [certificate] = parsePemChain(pem);
  const publicKeyDer = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  if (!certificate || !publicKeyDer.equals(certificate.publicKey.spki)) return undefined;
  return { privateKey, certificate, pem };
}

function isValidAt(certificate: Certificate, now: Date): boolean {
  return certificate.notBefore <= now && now <= certificate.notAfter;
}

export interface CertificateRequest {
  /** The subject's common name; the organization is always the local server's. */
  subjectName: string;
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: Uint8Array[];
  /** The issuer's subject Name DER, so issuer and subject match byte for byte. */
  issuerName: Uint8Array;
  /** The issuer's private key (the subject's own for a self-signed root): EC P-384, or RSA (test roots). */
  issuerKey: KeyObject;
}

const ECDSA_WITH_SHA384 = { identifier: derSequence(derOid(Oid.ecdsaWithSha384)), hash: "sha384" };
const RSA_WITH_SHA256 = { identifier: derSequence(derOid(Oid.sha256WithRsaEncryption), derNull()), hash: "sha256" };

/**
 * An X.509 v3 certificate (DER), signed with ECDSA/SHA-384 by an EC issuer key (ours and Autograph's), or
 * with RSA PKCS#1 v1.5/SHA-256 by an RSA one (such as Firefox's xpcshell test root, in the tests).
 */
export function issueCertificate(request: CertificateRequest): Uint8Array<ArrayBuffer> {
  const algorithm = request.issuerKey.asymmetricKeyType === "rsa" ? RSA_WITH_SHA256 : ECDSA_WITH_SHA384;
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // positive, as RFC 5280 requires
  const subjectKeyId = keyIdentifier(request.publicKey);
  const authorityKeyId = keyIdentifier(createPublicKey(request.issuerKey));
  // RFC 5280 wants key identifiers on every CA-issued certificate; path builders use them to match keys.
  const keyIdentifiers = [
    extension(Oid.subjectKeyIdentifier, false, derOctetString(subjectKeyId)),
    extension(Oid.authorityKeyIdentifier, false, derSequence(derImplicit(0, derOctetString(authorityKeyId)))),
  ];
  const tbs = derSequence(
    derExplicit(0, derInteger(Uint8Array.of(2))), // v3
    derInteger(serial),
    algorithm.identifier,
    request.issuerName,
    derSequence(derTime(request.notBefore), derTime(request.notAfter)),
    distinguishedName(request.subjectName),
    request.publicKey.export({ type: "spki", format: "der" }),
    derExplicit(3, derSequence(...request.extensions, ...keyIdentifiers)),
  );
  // node:crypto's default ECDSA output is the DER (r, s) X.509 wants.
  const signature = sign(algorithm.hash, tbs, request.issuerKey);
  return derSequence(tbs, algorithm.identifier, derBitString(signature));
}

/** SHA-1 of the SubjectPublicKeyInfo: any stable unique value will do (RFC 5280 §4.2.1.2). */
function keyIdentifier(publicKey: KeyObject): Uint8Array {
  return createHash("sha1")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest();
}

export function distinguishedName(commonName: string): Uint8Array<ArrayBuffer> {
  const attribute = (oid: string, value: string) => derSet(derSequence(derOid(oid), derUtf8String(value)));
  return derSequence(attribute(Oid.organizationName, ORGANIZATION), attribute(Oid.commonName, commonName));
}

/** A CA that signs certificates (and CRLs): basicConstraints cA, keyUsage keyCertSign | cRLSign. */
export function caExtensions(): Uint8Array[] {
  return [
    extension(Oid.basicConstraints, true, derSequence(derBoolean(true))),
    extension(Oid.keyUsage, true, keyUsage("keyCertSign", "cRLSign")),
  ];
}

/** A content-signing leaf: not a CA, digitalSignature, codeSigning, and the signer name as dNSName. */
export function signerExtensions(signer: string): Uint8Array[] {
  return [
    // cA FALSE is the DEFAULT, which DER leaves out: an empty SEQUENCE.
    extension(Oid.basicConstraints, true, derSequence()),
    extension(Oid.keyUsage, true, keyUsage("digitalSignature")),
    extension(Oid.extendedKeyUsage, false, derSequence(derOid(Oid.codeSigning))),
    extension(Oid.subjectAltName, false, derSequence(derImplicit(2, derIa5String(signer)))),
  ];
}

/** One Extension: its OID, `critical` when set (DER omits the default FALSE), and its DER value. */
export function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array<ArrayBuffer> {
  return derSequence(derOid(oid), ...(critical ? [derBoolean(true)] : []), derOctetString(value));
}

/** A keyUsage extension value with these bits. */
export function keyUsage(...usages: KeyUsage[]): Uint8Array<ArrayBuffer> {
  return derNamedBits(usages.map((usage) => KEY_USAGE_BITS.indexOf(usage)));
}

export function toPem(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

/** SHA-256 as uppercase colon-separated hex pairs, the format of Firefox's root-hash prefs. */
function fingerprint(der: Uint8Array): string {
  return createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g)!.join(":");
}
