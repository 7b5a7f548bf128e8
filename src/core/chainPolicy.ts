/**
 * The per-certificate rules Firefox applies to a content-signature chain: mozilla::pkix's checks for the
 * code-signing purpose (pkixcheck.cpp `CheckIssuerIndependentProperties`, pkixnames.cpp) under the trust
 * domain's limits (AppTrustDomain.cpp: RSA keys of at least 2048 bits; SHA-256/384/512 signatures, which
 * x509.ts already limits us to). Each check throws a ContentSignatureError; path building (certificateChain.ts)
 * decides which certificate plays which role.
 */
import { ContentSignatureError, type ContentSignatureErrorCode } from "./contentSignatureError.js";
import { inDnsSubtree, isPlainDnsName, isValidDnsConstraint, namesHost } from "./dnsNames.js";
import { Oid } from "./oids.js";
import type { Certificate } from "./x509.js";

/** AppTrustDomain::CheckRSAPublicKeyModulusSizeInBits. */
export const MIN_RSA_MODULUS_BITS = 2048;

/** Where a certificate sits in the path. */
export type CertificateRole =
  | { readonly kind: "leaf" }
  /** `subCACount`: intermediates between it and the leaf; `isAnchor`: the trusted root ending the path. */
  | { readonly kind: "issuer"; readonly subCACount: number; readonly isAnchor: boolean };

/** Checks a certificate on its own (no issuer needed), in its role, at `now`. */
export function checkCertificate(certificate: Certificate, role: CertificateRole, now: Date): void {
  const name = describe(certificate);
  if (certificate.unsupportedExtensions.length) {
    fail(
      "unsupported-extension",
      `${name} carries extension ${certificate.unsupportedExtensions.join(", ")}, which the chain check does not support`,
    );
  }
  const { type } = certificate.publicKey;
  if (type.kind === "rsa" && type.modulusBits < MIN_RSA_MODULUS_BITS) {
    fail(
      "key-too-small",
      `${name} has a ${type.modulusBits}-bit RSA key; at least ${MIN_RSA_MODULUS_BITS} bits are required`,
    );
  }
  if (certificate.issuer.der.length <= 2) fail("broken-chain", `${name} has an empty issuer name`);
  if (role.kind === "leaf") checkLeafConstraints(certificate, name);
  else checkIssuerConstraints(certificate, role, name);
  checkCodeSigningPurpose(certificate, role, name);
  if (now < certificate.notBefore)
    fail("certificate-not-yet-valid", `${name} is not valid before ${certificate.notBefore.toISOString()}`);
  if (now > certificate.notAfter)
    fail("certificate-expired", `${name} expired at ${certificate.notAfter.toISOString()}`);
}

function checkLeafConstraints(certificate: Certificate, name: string): void {
  if (certificate.isCA) fail("wrong-key-usage", `the signing certificate ${name} is a CA certificate`);
}

function checkIssuerConstraints(
  certificate: Certificate,
  role: Extract<CertificateRole, { kind: "issuer" }>,
  name: string,
): void {
  if (certificate.keyUsage && !certificate.keyUsage.has("keyCertSign")) {
    fail("cannot-sign", `${name} has a keyUsage without keyCertSign`);
  }
  // A v1 certificate has no extensions: mozilla::pkix lets it act as a CA only as the trust anchor.
  const isCA = certificate.isCA || (role.isAnchor && certificate.version === 1);
  if (!isCA) fail("cannot-sign", `${name} is not a CA certificate (basicConstraints cA)`);
  const limit = certificate.pathLengthConstraint;
  if (limit !== undefined && role.subCACount > limit) {
    fail("cannot-sign", `${name} allows ${limit} intermediate(s) below it, the chain has ${role.subCACount}`);
  }
}

/**
 * Every certificate of the path, root included, must allow code signing when it restricts its purposes.
 * `anyExtendedKeyUsage` does not count (mozilla::pkix matches the purpose itself), and a signing certificate
 * that is also an OCSP responder is refused.
 */
function checkCodeSigningPurpose(certificate: Certificate, role: CertificateRole, name: string): void {
  const purposes = certificate.extendedKeyUsage;
  if (!purposes) return;
  if (!purposes.includes(Oid.codeSigning))
    fail("wrong-key-usage", `${name} has an extendedKeyUsage without codeSigning`);
  if (role.kind === "leaf" && purposes.includes(Oid.ocspSigning)) {
    fail("wrong-key-usage", `the signing certificate ${name} is also an OCSP responder`);
  }
}

/**
 * The leaf must name the signer among its subjectAltName dNSNames; its subject CN does not count, as in
 * Firefox. Stricter than Firefox: every dNSName must be a plain name (no wildcard), see dnsNames.ts.
 */
export function checkSignerName(leaf: Certificate, signer: string): void {
  const names = leaf.subjectAltName?.dnsNames ?? [];
  const odd = names.find((dnsName) => !isPlainDnsName(dnsName));
  if (odd !== undefined)
    fail("wrong-subject", `${describe(leaf)} names ${JSON.stringify(odd)}, which is not a plain DNS name`);
  if (!names.some((dnsName) => namesHost(dnsName, signer))) {
    fail(
      "wrong-subject",
      `${describe(leaf)} is for ${names.length ? names.join(", ") : "no DNS name"}, expected ${signer}`,
    );
  }
}

/**
 * An issuer's name constraints hold for every certificate below it (pkixnames.cpp `CheckNameConstraints`).
 * For code signing, mozilla::pkix does not fall back to the subject CN, so only subjectAltName dNSNames are
 * checked. Stricter than Firefox: constraints on other name types (directory names, e-mail, IP addresses…)
 * are not evaluated, so a chain under them is refused, as is a constrained name we cannot read plainly.
 */
export function checkNameConstraints(issuer: Certificate, below: readonly Certificate[]): void {
  const constraints = issuer.nameConstraints;
  if (!constraints) return;
  const { permittedDnsNames: permitted, excludedDnsNames: excluded } = constraints;
  if (constraints.hasOtherSubtrees || ![...permitted, ...excluded].every(isValidDnsConstraint)) {
    fail("name-constraint-violation", `${describe(issuer)} has name constraints the chain check does not evaluate`);
  }
  for (const certificate of below) {
    for (const dnsName of certificate.subjectAltName?.dnsNames ?? []) {
      const allowed =
        isPlainDnsName(dnsName) &&
        (permitted.length === 0 || permitted.some((subtree) => inDnsSubtree(dnsName, subtree))) &&
        !excluded.some((subtree) => inDnsSubtree(dnsName, subtree));
      if (!allowed)
        fail(
          "name-constraint-violation",
          `${describe(certificate)} names ${dnsName}, outside the name constraints of ${describe(issuer)}`,
        );
    }
  }
}

export function describe(certificate: Certificate): string {
  return `CN=${certificate.subject.commonName ?? "(none)"}`;
}

function fail(code: ContentSignatureErrorCode, message: string): never {
  throw new ContentSignatureError(code, message);
}
