/**
 * Content-signature chains under Mozilla's public "xpcshell signed apps" test root, which Firefox compiles in
 * (`Ci.nsIX509CertDB.AppXPCShellRoot`): one well-formed chain shaped like Autograph's, and one mutation of it
 * per rule a chain check applies, each with the verdict Firefox ESR 153 gives (asserted by
 * test/e2e/contentSignatureConformance.test.ts) and the reason, when ours is deliberately stricter.
 * The unit suite checks our verdicts on the same cases (test/unit/chainConformance.test.ts).
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Oid, parsePemChain, type KeyUsage } from "../../src/core/index.js";
import {
  derBoolean,
  derExplicit,
  derIa5String,
  derImplicit,
  derInteger,
  derOid,
  derSequence,
  derSet,
  derUtf8String,
} from "../../server/derWriter.js";
import {
  distinguishedName,
  extension,
  issueCertificate,
  keyUsage,
  ORGANIZATION,
  signContent,
  toPem,
} from "../../server/pki.js";

export const SIGNER = "normandy.content-signature.mozilla.org";
export const SIGNED_DATA = '{"action":"console-log","arguments":{"message":"chain conformance"},"id":1}';

const ROOT_DIR = fileURLToPath(new URL("../fixtures/xpcshell-signed-apps-root/", import.meta.url));
/** Firefox's xpcshell signed-apps test root and its private key (see the README beside them). */
export const XPCSHELL_ROOT_PEM = readFileSync(`${ROOT_DIR}root.pem`, "utf8");
const ROOT_KEY = createPrivateKey(readFileSync(`${ROOT_DIR}root.key.pem`, "utf8"));
const ROOT = parsePemChain(XPCSHELL_ROOT_PEM)[0]!;
export const XPCSHELL_ROOT_HASH = createHash("sha256").update(ROOT.der).digest("hex");

export type Verdict = "accepts" | "rejects";

export interface ChainCase {
  readonly name: string;
  /** What Firefox's nsIContentSignatureVerifier answers. */
  readonly firefox: Verdict;
  /** Set when ours rejects although Firefox accepts: why (the README lists these too). */
  readonly stricter?: string;
  /** One of the first eight rows of issue 21's table, where our verifier used to accept what Firefox refuses. */
  readonly formerlyAccepted?: true;
  /** The x5u text: leaf first. */
  readonly x5u: string;
  /** Every certificate of the case, for independent parsers. */
  readonly certificates: readonly string[];
  readonly data: string;
  /** base64url r||s, as Autograph serves it. */
  readonly signature: string;
}

/** The verdict ours must give: Firefox's, or rejects where we are documented to be stricter. */
export function expectedOurVerdict(chainCase: ChainCase): Verdict {
  return chainCase.stricter ? "rejects" : chainCase.firefox;
}

interface Issued {
  readonly pem: string;
  readonly name: Uint8Array;
  readonly key: KeyObject;
}

type KeySpec = { rsa: number } | { ec: "P-256" | "P-384" };

const DAY_MS = 24 * 60 * 60 * 1000;
const UNKNOWN_EXTENSION = "1.3.6.1.4.1.11591.99.1"; // an OID in a private arc no certificate software knows
const ANY_POLICY = "2.5.29.32.0";

const root: Issued = { pem: XPCSHELL_ROOT_PEM, name: ROOT.subject.der, key: ROOT_KEY };

function newKey(spec: KeySpec): { privateKey: KeyObject; publicKey: KeyObject } {
  return "rsa" in spec
    ? generateKeyPairSync("rsa", { modulusLength: spec.rsa })
    : generateKeyPairSync("ec", { namedCurve: spec.ec });
}

interface IssueOptions {
  commonName: string;
  issuer: Issued;
  extensions: Uint8Array[];
  key?: KeySpec;
  /** Validity relative to `now`, in days. */
  validDays?: [from: number, to: number];
  /** Sign with this key instead of the issuer's (a forged certificate). */
  signingKey?: KeyObject;
}

function issuer(now: Date) {
  return (options: IssueOptions): Issued => {
    const { privateKey, publicKey } = newKey(options.key ?? { ec: "P-384" });
    const [from, to] = options.validDays ?? [-1, 30];
    const der = issueCertificate({
      subjectName: options.commonName,
      publicKey,
      notBefore: new Date(now.getTime() + from * DAY_MS),
      notAfter: new Date(now.getTime() + to * DAY_MS),
      extensions: options.extensions,
      issuerName: options.issuer.name,
      issuerKey: options.signingKey ?? options.issuer.key,
    });
    return { pem: toPem(der), name: distinguishedName(options.commonName), key: privateKey };
  };
}

interface CaProfile {
  basicConstraints?: "ca" | "not-ca" | "absent";
  pathLength?: number;
  usages?: KeyUsage[] | "absent";
  purposes?: string[];
  nameConstraints?: Uint8Array;
  extra?: Uint8Array[];
}

function caProfile(profile: CaProfile = {}): Uint8Array[] {
  const { basicConstraints = "ca", usages = ["keyCertSign", "cRLSign"] } = profile;
  const constraints = [
    ...(basicConstraints === "ca" ? [derBoolean(true)] : []),
    ...(profile.pathLength === undefined ? [] : [derInteger(Uint8Array.of(profile.pathLength))]),
  ];
  return [
    ...(basicConstraints === "absent" ? [] : [extension(Oid.basicConstraints, true, derSequence(...constraints))]),
    ...(usages === "absent" ? [] : [extension(Oid.keyUsage, true, keyUsage(...usages))]),
    ...(profile.purposes ? [extension(Oid.extendedKeyUsage, false, derSequence(...profile.purposes.map(derOid)))] : []),
    ...(profile.nameConstraints ? [extension(Oid.nameConstraints, true, profile.nameConstraints)] : []),
    ...(profile.extra ?? []),
  ];
}

interface LeafProfile {
  dnsNames?: string[] | "absent";
  purposes?: string[] | "absent";
  isCA?: boolean;
  usages?: KeyUsage[];
  basicConstraints?: "absent";
  extra?: Uint8Array[];
}

/** Autograph's leaf shape (server/pki.ts `signerExtensions`), with the given changes. */
function leafProfile(profile: LeafProfile = {}): Uint8Array[] {
  const { dnsNames = [SIGNER], purposes = [Oid.codeSigning], usages = ["digitalSignature"] } = profile;
  return [
    ...(profile.basicConstraints === "absent"
      ? []
      : [extension(Oid.basicConstraints, true, derSequence(...(profile.isCA ? [derBoolean(true)] : [])))]),
    extension(Oid.keyUsage, true, keyUsage(...usages)),
    ...(purposes === "absent" ? [] : [extension(Oid.extendedKeyUsage, false, derSequence(...purposes.map(derOid)))]),
    ...(dnsNames === "absent"
      ? []
      : [
          extension(
            Oid.subjectAltName,
            false,
            derSequence(...dnsNames.map((name) => derImplicit(2, derIa5String(name)))),
          ),
        ]),
    ...(profile.extra ?? []),
  ];
}

/** A nameConstraints value with dNSName subtrees. */
function dnsNameConstraints(permitted: string[], excluded: string[] = []): Uint8Array {
  const subtrees = (names: string[]) => names.map((name) => derSequence(derImplicit(2, derIa5String(name))));
  return derSequence(
    ...(permitted.length ? [derImplicitConstructed(0, subtrees(permitted))] : []),
    ...(excluded.length ? [derImplicitConstructed(1, subtrees(excluded))] : []),
  );
}

/** `[number] IMPLICIT SEQUENCE OF`: GeneralSubtrees inside nameConstraints. */
function derImplicitConstructed(number: number, children: Uint8Array[]): Uint8Array {
  return derImplicit(number, derSequence(...children));
}

const unknownCriticalExtension = () => extension(UNKNOWN_EXTENSION, true, derSequence());
const unknownExtension = () => extension(UNKNOWN_EXTENSION, false, derSequence());

/**
 * Builds every case at `now` (certificates valid from a day before to 30 days after). Slow-ish: it
 * generates a few RSA keys.
 */
export async function buildChainCases(now: Date): Promise<ChainCase[]> {
  const issue = issuer(now);
  const intermediate = (profile?: CaProfile, options: Partial<IssueOptions> = {}) =>
    issue({
      commonName: "Test content-signing intermediate",
      issuer: root,
      extensions: caProfile(profile),
      ...options,
    });
  const leafUnder = (parent: Issued, profile?: LeafProfile, options: Partial<IssueOptions> = {}) =>
    issue({ commonName: SIGNER, issuer: parent, extensions: leafProfile(profile), ...options });

  const standard = intermediate();
  const cases: ChainCase[] = [];
  const add = async (
    name: string,
    firefox: Verdict,
    chain: Issued[],
    extra: { stricter?: string; data?: string; pool?: Issued[]; formerlyAccepted?: true } = {},
  ) => {
    const [leaf] = chain as [Issued];
    const x5u = [...chain, ...(extra.pool ?? [])].map((certificate) => certificate.pem).join("");
    cases.push({
      name,
      firefox,
      ...(extra.stricter ? { stricter: extra.stricter } : {}),
      ...(extra.formerlyAccepted ? { formerlyAccepted: true } : {}),
      x5u,
      certificates: chain.concat(extra.pool ?? []).map((certificate) => certificate.pem),
      data: SIGNED_DATA,
      signature: await signContent(leaf.key, extra.data ?? SIGNED_DATA),
    });
  };
  const withStandard = (leaf: Issued) => [leaf, standard, root];
  const TABLE_ROW = { formerlyAccepted: true } as const;

  // The rows of issue 21's table.
  await add("control: Autograph-shaped chain (leaf, intermediate, root)", "accepts", withStandard(leafUnder(standard)));
  await add(
    "leaf SAN dNSName is not the signer, CN is",
    "rejects",
    withStandard(leafUnder(standard, { dnsNames: ["other.content-signature.mozilla.org"] })),
    TABLE_ROW,
  );
  await add(
    "leaf without a SAN, CN is the signer",
    "rejects",
    withStandard(leafUnder(standard, { dnsNames: "absent" })),
    TABLE_ROW,
  );
  await add(
    "leaf SAN is the signer, CN something else",
    "accepts",
    withStandard(leafUnder(standard, {}, { commonName: "Content Signing Leaf" })),
  );
  await add(
    "unknown critical extension on the leaf",
    "rejects",
    withStandard(leafUnder(standard, { extra: [unknownCriticalExtension()] })),
    TABLE_ROW,
  );
  const criticalUnknownCa = intermediate({ extra: [unknownCriticalExtension()] });
  await add(
    "unknown critical extension on the intermediate",
    "rejects",
    [leafUnder(criticalUnknownCa), criticalUnknownCa, root],
    TABLE_ROW,
  );
  const pathLenZeroTop = intermediate({ pathLength: 0 });
  const belowPathLenZero = issue({
    commonName: "Second intermediate",
    issuer: pathLenZeroTop,
    extensions: caProfile(),
  });
  await add(
    "pathLen 0 above an intermediate",
    "rejects",
    [leafUnder(belowPathLenZero), belowPathLenZero, pathLenZeroTop, root],
    TABLE_ROW,
  );
  await add("leaf with CA:true", "rejects", withStandard(leafUnder(standard, { isCA: true })), TABLE_ROW);
  const serverAuthCa = intermediate({ purposes: [Oid.serverAuth] });
  await add(
    "intermediate whose EKU lacks codeSigning",
    "rejects",
    [leafUnder(serverAuthCa), serverAuthCa, root],
    TABLE_ROW,
  );
  const excludingCa = intermediate({ nameConstraints: dnsNameConstraints([], ["content-signature.mozilla.org"]) });
  await add(
    "intermediate whose name constraints exclude the signer",
    "rejects",
    [leafUnder(excludingCa), excludingCa, root],
    TABLE_ROW,
  );
  const smallRsaCa = intermediate({}, { key: { rsa: 1024 } });
  await add("RSA 1024 intermediate", "rejects", [leafUnder(smallRsaCa), smallRsaCa, root]);
  await add("chain out of order (root before the intermediate)", "accepts", [leafUnder(standard), root, standard]);
  const unrelated = intermediate({}, { commonName: "Unrelated intermediate" });
  await add("chain with an unrelated extra certificate", "accepts", [leafUnder(standard), unrelated, standard, root]);
  await add("leaf without EKU", "accepts", withStandard(leafUnder(standard, { purposes: "absent" })));
  const noUsageCa = intermediate({ usages: "absent" });
  await add("intermediate without keyUsage", "accepts", [leafUnder(noUsageCa), noUsageCa, root]);

  // A mutation of each other field we check.
  await add("leaf EKU serverAuth only", "rejects", withStandard(leafUnder(standard, { purposes: [Oid.serverAuth] })));
  await add(
    "leaf EKU codeSigning and OCSPSigning",
    "rejects",
    withStandard(leafUnder(standard, { purposes: [Oid.codeSigning, Oid.ocspSigning] })),
  );
  await add(
    "leaf EKU anyExtendedKeyUsage only",
    "rejects",
    withStandard(leafUnder(standard, { purposes: [Oid.anyExtendedKeyUsage] })),
  );
  const codeSigningCa = intermediate({ purposes: [Oid.codeSigning] });
  await add("intermediate EKU codeSigning", "accepts", [leafUnder(codeSigningCa), codeSigningCa, root]);
  const signOnlyCa = intermediate({ usages: ["digitalSignature"] });
  await add("intermediate keyUsage without keyCertSign", "rejects", [leafUnder(signOnlyCa), signOnlyCa, root]);
  const noConstraintsCa = intermediate({ basicConstraints: "absent" });
  await add("intermediate without basicConstraints", "rejects", [leafUnder(noConstraintsCa), noConstraintsCa, root]);
  const notCa = intermediate({ basicConstraints: "not-ca" });
  await add("intermediate with basicConstraints cA false", "rejects", [leafUnder(notCa), notCa, root]);
  const pathLenZero = intermediate({ pathLength: 0 });
  await add("pathLen 0 on the intermediate just above the leaf", "accepts", [
    leafUnder(pathLenZero),
    pathLenZero,
    root,
  ]);
  const pathLenOneTop = intermediate({ pathLength: 1 });
  const belowPathLenOne = issue({ commonName: "Second intermediate", issuer: pathLenOneTop, extensions: caProfile() });
  await add("pathLen 1 above an intermediate", "accepts", [
    leafUnder(belowPathLenOne),
    belowPathLenOne,
    pathLenOneTop,
    root,
  ]);
  const permittingCa = intermediate({ nameConstraints: dnsNameConstraints(["content-signature.mozilla.org"]) });
  await add("intermediate name constraints permit the signer's domain", "accepts", [
    leafUnder(permittingCa),
    permittingCa,
    root,
  ]);
  const permittingOtherCa = intermediate({ nameConstraints: dnsNameConstraints(["example.com"]) });
  await add("intermediate name constraints permit another domain only", "rejects", [
    leafUnder(permittingOtherCa),
    permittingOtherCa,
    root,
  ]);
  const excludingOtherCa = intermediate({ nameConstraints: dnsNameConstraints([], ["example.com"]) });
  await add("intermediate name constraints exclude another domain", "accepts", [
    leafUnder(excludingOtherCa),
    excludingOtherCa,
    root,
  ]);
  const directoryCa = intermediate({ nameConstraints: directoryNameConstraint() });
  await add(
    "intermediate name constraints on directory names the leaf satisfies",
    "accepts",
    [leafUnder(directoryCa), directoryCa, root],
    {
      stricter: "name constraints on other name types than dNSName are not evaluated, so a chain under them is refused",
    },
  );
  const rsaCa = intermediate({}, { key: { rsa: 2048 } });
  await add("RSA 2048 intermediate", "accepts", [leafUnder(rsaCa), rsaCa, root]);
  const p256Ca = intermediate({}, { key: { ec: "P-256" } });
  await add("P-256 intermediate", "accepts", [leafUnder(p256Ca), p256Ca, root]);
  await add("leaf P-256 key", "accepts", withStandard(leafUnder(standard, {}, { key: { ec: "P-256" } })), {
    stricter:
      "a content signature must be Autograph's P-384 one (96 bytes); Firefox verifies ECDSA/SHA-384 with any curve",
  });
  await add("leaf expired", "rejects", withStandard(leafUnder(standard, {}, { validDays: [-30, -1] })));
  await add("leaf not yet valid", "rejects", withStandard(leafUnder(standard, {}, { validDays: [1, 30] })));
  const expiredCa = intermediate({}, { validDays: [-30, -1] });
  await add("intermediate expired", "rejects", [leafUnder(expiredCa), expiredCa, root]);
  await add(
    "unknown non-critical extension on the leaf",
    "accepts",
    withStandard(leafUnder(standard, { extra: [unknownExtension()] })),
  );
  const anyPolicy = extension(Oid.certificatePolicies, true, derSequence(derSequence(derOid(ANY_POLICY))));
  await add(
    "critical certificatePolicies on the leaf",
    "accepts",
    withStandard(leafUnder(standard, { extra: [anyPolicy] })),
  );
  await add(
    "leaf without basicConstraints",
    "accepts",
    withStandard(leafUnder(standard, { basicConstraints: "absent" })),
  );
  await add(
    "leaf keyUsage keyCertSign, not a CA",
    "accepts",
    withStandard(leafUnder(standard, { usages: ["keyCertSign"] })),
  );
  const tlsFeatureCa = intermediate({
    extra: [extension(Oid.tlsFeature, false, derSequence(derInteger(Uint8Array.of(5))))],
  });
  await add("intermediate requiring a TLS feature its leaf lacks", "rejects", [
    leafUnder(tlsFeatureCa),
    tlsFeatureCa,
    root,
  ]);
  await add(
    "leaf signed by another key than its issuer's",
    "rejects",
    withStandard(leafUnder(standard, {}, { signingKey: unrelated.key })),
  );
  await add(
    "leaf SAN names the signer in capitals",
    "accepts",
    withStandard(leafUnder(standard, { dnsNames: [SIGNER.toUpperCase()] })),
  );
  await add(
    "leaf SAN names another host and the signer",
    "accepts",
    withStandard(leafUnder(standard, { dnsNames: ["example.com", SIGNER] })),
  );
  await add(
    "leaf SAN is a wildcard covering the signer",
    "accepts",
    withStandard(leafUnder(standard, { dnsNames: ["*.content-signature.mozilla.org"] })),
    {
      stricter:
        "wildcard dNSNames are not matched: Autograph names each signer exactly, and a wildcard leaf could sign for every signer",
    },
  );
  await add("leaf issued directly by the root", "accepts", [leafUnder(root), root]);
  const expiredTwin = intermediate({}, { validDays: [-30, -1] });
  await add("two intermediates with one name, the first expired", "accepts", [
    leafUnder(standard),
    expiredTwin,
    standard,
    root,
  ]);
  await add("chain without the root", "accepts", [leafUnder(standard), standard], {
    stricter:
      "the pinned root must be in the x5u text (Firefox has its roots built in; Autograph's x5u always ends with the root)",
  });
  await add("content signature over other data", "rejects", withStandard(leafUnder(standard)), {
    data: `${SIGNED_DATA} `,
  });
  return cases;
}

/** Permits directory names under O=<the local server's organization>, which every generated name is. */
function directoryNameConstraint(): Uint8Array {
  const organization = derSequence(derSet(derSequence(derOid(Oid.organizationName), derUtf8String(ORGANIZATION))));
  return derSequence(derImplicitConstructed(0, [derSequence(derExplicit(4, organization))]));
}
