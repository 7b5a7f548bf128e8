import { createPrivateKey, generateKeyPairSync, sign, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createCachedVerifier,
  Oid,
  parsePemChain,
  verifyContentSignature,
  type ContentSignatureOptions,
} from "../../src/core/index.js";
import {
  caExtensions,
  distinguishedName,
  issueCertificate,
  loadOrCreatePki,
  signerExtensions,
  type SigningPki,
} from "../../server/pki.js";
import { errorCode } from "./contentSignatureErrorCode.js";

const RECIPE_SIGNER = "normandy.content-signature.mozilla.org";
const COLLECTION_SIGNER = "remote-settings.content-signature.mozilla.org";
const NOW = new Date("2027-03-01T12:00:00Z");
const DAY_MS = 24 * 60 * 60 * 1000;

const dataDirs: string[] = [];
function freshDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pki-test-"));
  dataDirs.push(dir);
  return dir;
}
afterAll(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const toPem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString("base64")}\n-----END CERTIFICATE-----\n`;
const pemBlocks = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----\n/g)!;

describe("loadOrCreatePki", () => {
  let dataDir: string;
  let pki: SigningPki;
  beforeAll(async () => {
    dataDir = freshDataDir();
    pki = await loadOrCreatePki(dataDir, { now: NOW });
  });

  const optionsFor = async (
    signer: typeof RECIPE_SIGNER | typeof COLLECTION_SIGNER,
    data: string,
  ): Promise<ContentSignatureOptions> => ({
    data,
    signature: await pki.sign(signer, data),
    x5u: pki.chainPem(signer),
    expectedSubject: signer,
    rootHash: pki.rootHash,
    now: NOW,
  });

  it("publishes the root hash in Firefox's pref format", () => {
    expect(pki.rootHash).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it("builds root → intermediate → P-384 leaf chains, leaf first, one leaf per signer", () => {
    for (const signer of [RECIPE_SIGNER, COLLECTION_SIGNER] as const) {
      const [leaf, intermediate, root, ...rest] = parsePemChain(pki.chainPem(signer));
      expect(rest).toEqual([]);
      expect(leaf?.subject.commonName).toBe(signer);
      expect(leaf?.publicKey.type).toEqual({ kind: "ec", curve: "P-384" });
      expect(leaf?.isCA).toBe(false);
      expect([...(leaf?.keyUsage ?? [])]).toEqual(["digitalSignature"]);
      expect(leaf?.extendedKeyUsage).toEqual([Oid.codeSigning]);
      for (const ca of [intermediate, root]) {
        expect(ca?.isCA).toBe(true);
        expect([...(ca?.keyUsage ?? [])]).toEqual(["keyCertSign", "cRLSign"]);
      }
      const years = (certificate: typeof leaf) =>
        Math.round((certificate!.notAfter.getTime() - NOW.getTime()) / (365.25 * DAY_MS));
      expect([years(leaf), years(intermediate), years(root)]).toEqual([1, 5, 10]);
      expect(leaf!.notBefore.getTime()).toBeLessThan(NOW.getTime());
    }
  });

  it("issues certificates an independent parser (node:crypto) reads as Autograph-shaped: SAN = CN = signer, codeSigning", () => {
    for (const signer of [RECIPE_SIGNER, COLLECTION_SIGNER] as const) {
      const [leaf, intermediate, root] = pemBlocks(pki.chainPem(signer)).map((pem) => new X509Certificate(pem)) as [
        X509Certificate,
        X509Certificate,
        X509Certificate,
      ];
      expect(leaf.subjectAltName).toBe(`DNS:${signer}`);
      expect(leaf.subject.split("\n")).toContain(`CN=${signer}`);
      expect(leaf.checkHost(signer, { subject: "never" })).toBe(signer);
      expect(leaf.keyUsage).toEqual([Oid.codeSigning]);
      expect([leaf.ca, intermediate.ca, root.ca]).toEqual([false, true, true]);
      expect(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey)).toBe(true);
      expect(intermediate.checkIssued(root) && intermediate.verify(root.publicKey)).toBe(true);
      expect(root.checkIssued(root) && root.verify(root.publicKey)).toBe(true);
      expect(root.fingerprint256).toBe(pki.rootHash);
    }
  });

  it("signs as Autograph does: base64url without padding of a 96-byte r||s", async () => {
    const signature = await pki.sign(RECIPE_SIGNER, "{}");
    expect(signature).toMatch(/^[A-Za-z0-9_-]{128}$/);
    expect(Buffer.from(signature, "base64url")).toHaveLength(96);
  });

  it("produces signatures that verify against its chains and root hash, for every signer", async () => {
    await expect(
      verifyContentSignature(await optionsFor(RECIPE_SIGNER, '{"id":1,"name":"é😀"}')),
    ).resolves.toBeDefined();
    await expect(verifyContentSignature(await optionsFor(COLLECTION_SIGNER, '{"data":[]}'))).resolves.toBeDefined();
  });

  it("rejects tampered data, another signer's subject and another root", async () => {
    const options = await optionsFor(RECIPE_SIGNER, '{"id":1}');
    expect(await errorCode(verifyContentSignature({ ...options, data: '{"id":2}' }))).toBe("signature-mismatch");
    expect(await errorCode(verifyContentSignature({ ...options, expectedSubject: COLLECTION_SIGNER }))).toBe(
      "wrong-subject",
    );
    const otherPki = await loadOrCreatePki(freshDataDir(), { now: NOW });
    expect(otherPki.rootHash).not.toBe(pki.rootHash);
    expect(await errorCode(verifyContentSignature({ ...options, rootHash: otherPki.rootHash }))).toBe("wrong-root");
    // Signed by the other PKI's leaf, presented with our chain.
    const foreignSignature = await otherPki.sign(RECIPE_SIGNER, options.data);
    expect(await errorCode(verifyContentSignature({ ...options, signature: foreignSignature }))).toBe(
      "signature-mismatch",
    );
  });

  it("reuses the stored PKI on the next start", async () => {
    const reloaded = await loadOrCreatePki(dataDir, { now: new Date(NOW.getTime() + 30 * DAY_MS) });
    expect(reloaded.rootHash).toBe(pki.rootHash);
    expect(reloaded.chainPem(RECIPE_SIGNER)).toBe(pki.chainPem(RECIPE_SIGNER));
    const signature = await reloaded.sign(RECIPE_SIGNER, "data");
    await expect(
      verifyContentSignature({ ...(await optionsFor(RECIPE_SIGNER, "data")), signature }),
    ).resolves.toBeDefined();
  });

  it("stores keys as PKCS#8 PEM and certificates as PEM under <dataDir>/pki", () => {
    const keyPem = readFileSync(path.join(dataDir, "pki", `${RECIPE_SIGNER}.key.pem`), "utf8");
    expect(keyPem).toContain("-----BEGIN PRIVATE KEY-----");
    const rootPem = readFileSync(path.join(dataDir, "pki", "root.cert.pem"), "utf8");
    expect(pki.chainPem(RECIPE_SIGNER).endsWith(rootPem)).toBe(true);
  });
});

describe("loadOrCreatePki renewal", () => {
  it("re-issues an expired leaf and keeps the root and intermediate", async () => {
    const dataDir = freshDataDir();
    const first = await loadOrCreatePki(dataDir, { now: NOW });
    const later = new Date(NOW.getTime() + 400 * DAY_MS);
    const [oldLeaf, oldIntermediate, oldRoot] = pemBlocks(first.chainPem(RECIPE_SIGNER));
    const oldOptions = {
      data: "x",
      signature: await first.sign(RECIPE_SIGNER, "x"),
      x5u: first.chainPem(RECIPE_SIGNER),
      expectedSubject: RECIPE_SIGNER,
      rootHash: first.rootHash,
    };
    expect(await errorCode(verifyContentSignature({ ...oldOptions, now: later }))).toBe("certificate-expired");

    const renewed = await loadOrCreatePki(dataDir, { now: later });
    const [newLeaf, newIntermediate, newRoot] = pemBlocks(renewed.chainPem(RECIPE_SIGNER));
    expect(renewed.rootHash).toBe(first.rootHash);
    expect([newIntermediate, newRoot]).toEqual([oldIntermediate, oldRoot]);
    expect(newLeaf).not.toBe(oldLeaf);
    const signature = await renewed.sign(RECIPE_SIGNER, "x");
    await expect(
      verifyContentSignature({ ...oldOptions, signature, x5u: renewed.chainPem(RECIPE_SIGNER), now: later }),
    ).resolves.toBeDefined();
  });

  it("re-issues a leaf whose certificate file is missing", async () => {
    const dataDir = freshDataDir();
    const first = await loadOrCreatePki(dataDir, { now: NOW });
    rmSync(path.join(dataDir, "pki", `${COLLECTION_SIGNER}.cert.pem`));
    const second = await loadOrCreatePki(dataDir, { now: NOW });
    expect(second.rootHash).toBe(first.rootHash);
    expect(second.chainPem(COLLECTION_SIGNER)).not.toBe(first.chainPem(COLLECTION_SIGNER));
    expect(second.chainPem(RECIPE_SIGNER)).toBe(first.chainPem(RECIPE_SIGNER));
    const signature = await second.sign(COLLECTION_SIGNER, "y");
    const options = {
      data: "y",
      signature,
      x5u: second.chainPem(COLLECTION_SIGNER),
      expectedSubject: COLLECTION_SIGNER,
      rootHash: second.rootHash,
      now: NOW,
    };
    await expect(verifyContentSignature(options)).resolves.toBeDefined();
  });
});

describe("chain policy with certificates issued by the local PKI", () => {
  let dataDir: string;
  let pki: SigningPki;
  beforeAll(async () => {
    dataDir = freshDataDir();
    pki = await loadOrCreatePki(dataDir, { now: NOW });
  });
  const privateKey = (name: string) =>
    createPrivateKey(readFileSync(path.join(dataDir, "pki", `${name}.key.pem`), "utf8"));

  /** A new P-384 leaf for RECIPE_SIGNER issued by `issuerPem`, with its signature over "data". */
  function extraLeaf(issuerName: string, issuerPem: string, extensions: Uint8Array[]) {
    const { privateKey: leafKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const [issuer] = parsePemChain(issuerPem);
    const der = issueCertificate({
      subjectName: RECIPE_SIGNER,
      publicKey,
      notBefore: new Date(NOW.getTime() - DAY_MS),
      notAfter: new Date(NOW.getTime() + DAY_MS),
      extensions,
      issuerName: issuer!.subject.der,
      issuerKey: privateKey(issuerName),
    });
    const signature = sign("sha384", Buffer.from("Content-Signature:\x00data"), {
      key: leafKey,
      dsaEncoding: "ieee-p1363",
    });
    return { pem: toPem(der), signature: signature.toString("base64url") };
  }

  it("accepts a well-formed extra leaf (the control case)", async () => {
    const [, intermediatePem, rootPem] = pemBlocks(pki.chainPem(RECIPE_SIGNER)) as [string, string, string];
    const leaf = extraLeaf("intermediate", intermediatePem, signerExtensions(RECIPE_SIGNER));
    const options = {
      data: "data",
      signature: leaf.signature,
      x5u: leaf.pem + intermediatePem + rootPem,
      expectedSubject: RECIPE_SIGNER,
      rootHash: pki.rootHash,
      now: NOW,
    };
    await expect(verifyContentSignature(options)).resolves.toBeDefined();
  });

  it("rejects a chain where a non-CA certificate issued the leaf (cannot-sign)", async () => {
    const chain = pki.chainPem(RECIPE_SIGNER);
    const [signerLeafPem] = pemBlocks(chain) as [string];
    const leaf = extraLeaf(RECIPE_SIGNER, signerLeafPem, signerExtensions(RECIPE_SIGNER));
    const options = {
      data: "data",
      signature: leaf.signature,
      x5u: leaf.pem + chain,
      expectedSubject: RECIPE_SIGNER,
      rootHash: pki.rootHash,
      now: NOW,
    };
    expect(await errorCode(verifyContentSignature(options))).toBe("cannot-sign");
  });

  it("rejects a leaf without the codeSigning extended key usage (wrong-key-usage)", async () => {
    const [, intermediatePem, rootPem] = pemBlocks(pki.chainPem(RECIPE_SIGNER)) as [string, string, string];
    const leaf = extraLeaf("intermediate", intermediatePem, caExtensions());
    const options = {
      data: "data",
      signature: leaf.signature,
      x5u: leaf.pem + intermediatePem + rootPem,
      expectedSubject: RECIPE_SIGNER,
      rootHash: pki.rootHash,
      now: NOW,
    };
    expect(await errorCode(verifyContentSignature(options))).toBe("wrong-key-usage");
  });

  it("rejects a certificate signed by a key other than its named issuer's (broken-chain)", async () => {
    const [, intermediatePem, rootPem] = pemBlocks(pki.chainPem(RECIPE_SIGNER)) as [string, string, string];
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const [intermediate] = parsePemChain(intermediatePem);
    const forged = issueCertificate({
      subjectName: RECIPE_SIGNER,
      publicKey,
      notBefore: new Date(NOW.getTime() - DAY_MS),
      notAfter: new Date(NOW.getTime() + DAY_MS),
      extensions: signerExtensions(RECIPE_SIGNER),
      issuerName: intermediate!.subject.der,
      issuerKey: privateKey("root"), // names the intermediate, signed by the root
    });
    const options = {
      x5u: toPem(forged) + intermediatePem + rootPem,
      expectedSubject: RECIPE_SIGNER,
      rootHash: pki.rootHash,
      now: NOW,
    };
    const signature = await pki.sign(RECIPE_SIGNER, "data");
    expect(await errorCode(verifyContentSignature({ ...options, data: "data", signature }))).toBe("broken-chain");
  });

  it("writes GeneralizedTime for dates from 2050 on, and reads it back", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const notAfter = new Date("2060-02-03T04:05:06Z");
    const der = issueCertificate({
      subjectName: "far future",
      publicKey,
      notBefore: NOW,
      notAfter,
      extensions: caExtensions(),
      issuerName: distinguishedName("far future"),
      issuerKey: privateKey("root"),
    });
    expect(Buffer.from(der).includes(Buffer.from("20600203040506Z"))).toBe(true);
    const [certificate] = parsePemChain(toPem(der));
    expect(certificate?.notAfter).toEqual(notAfter);
    expect(certificate?.notBefore).toEqual(NOW);
  });

  it("matches issuer names byte for byte", () => {
    const [leaf, intermediate] = parsePemChain(pki.chainPem(RECIPE_SIGNER));
    expect(Buffer.from(leaf!.issuer.der).equals(Buffer.from(intermediate!.subject.der))).toBe(true);
    expect(Buffer.from(distinguishedName(RECIPE_SIGNER)).equals(Buffer.from(leaf!.subject.der))).toBe(true);
  });
});

describe("createCachedVerifier", () => {
  let pki: SigningPki;
  beforeAll(async () => {
    pki = await loadOrCreatePki(freshDataDir(), { now: NOW });
  });
  afterEach(() => vi.restoreAllMocks());

  const options = async (data: string): Promise<ContentSignatureOptions> => ({
    data,
    signature: await pki.sign(RECIPE_SIGNER, data),
    x5u: pki.chainPem(RECIPE_SIGNER),
    expectedSubject: RECIPE_SIGNER,
    rootHash: pki.rootHash,
    now: NOW,
  });

  it("verifies an unchanged signature once", async () => {
    const verify = vi.spyOn(globalThis.crypto.subtle, "verify");
    const check = createCachedVerifier();
    const recipe = await options('{"id":1}');
    await check(recipe);
    const firstCalls = verify.mock.calls.length;
    // The leaf's and the intermediate's certificate signatures, then the content (the pinned root's own
    // signature is not checked: its bytes are what is trusted, as in Firefox).
    expect(firstCalls).toBe(3);
    await check(recipe);
    await check({ ...recipe });
    expect(verify).toHaveBeenCalledTimes(firstCalls);

    // A new recipe under the same, already verified chain costs only the content check.
    await check(await options('{"id":2}'));
    expect(verify).toHaveBeenCalledTimes(firstCalls + 1);
  });

  it("shares one verification between concurrent calls", async () => {
    const verify = vi.spyOn(globalThis.crypto.subtle, "verify");
    const check = createCachedVerifier();
    const recipe = await options('{"id":3}');
    await Promise.all([check(recipe), check(recipe), check(recipe)]);
    expect(verify).toHaveBeenCalledTimes(3);
  });

  it("remembers a failure and re-throws the same code without verifying again", async () => {
    const verify = vi.spyOn(globalThis.crypto.subtle, "verify");
    const check = createCachedVerifier();
    const tampered = { ...(await options('{"id":4}')), data: '{"id":5}' };
    expect(await errorCode(check(tampered))).toBe("signature-mismatch");
    const calls = verify.mock.calls.length;
    expect(await errorCode(check(tampered))).toBe("signature-mismatch");
    expect(verify).toHaveBeenCalledTimes(calls);
  });

  it("keys on the expected subject and pinned root too", async () => {
    const check = createCachedVerifier();
    const recipe = await options('{"id":6}');
    await check(recipe);
    expect(await errorCode(check({ ...recipe, expectedSubject: COLLECTION_SIGNER }))).toBe("wrong-subject");
    expect(await errorCode(check({ ...recipe, rootHash: "00".repeat(32) }))).toBe("wrong-root");
  });

  it("re-checks the time on a hit, without verifying again", async () => {
    const verify = vi.spyOn(globalThis.crypto.subtle, "verify");
    const check = createCachedVerifier();
    const recipe = await options('{"id":7}');
    await check(recipe);
    const calls = verify.mock.calls.length;
    const afterLeafExpiry = new Date(NOW.getTime() + 2 * 365 * DAY_MS);
    expect(await errorCode(check({ ...recipe, now: afterLeafExpiry }))).toBe("certificate-expired");
    expect(verify).toHaveBeenCalledTimes(calls);
    await check(recipe);
  });

  it("does not remember a failure that only the time caused", async () => {
    const check = createCachedVerifier();
    const recipe = await options('{"id":8}');
    const beforeIssue = new Date(NOW.getTime() - 30 * DAY_MS);
    expect(await errorCode(check({ ...recipe, now: beforeIssue }))).toBe("certificate-not-yet-valid");
    await expect(check(recipe)).resolves.toBeUndefined();
  });

  it("evicts the oldest entry beyond its capacity", async () => {
    const verify = vi.spyOn(globalThis.crypto.subtle, "verify");
    const check = createCachedVerifier(2);
    const [a, b, c] = await Promise.all(['"a"', '"b"', '"c"'].map(options));
    for (const recipe of [a!, b!, c!]) await check(recipe);
    const calls = verify.mock.calls.length;
    await check(c!);
    expect(verify).toHaveBeenCalledTimes(calls);
    await check(a!);
    expect(verify).toHaveBeenCalledTimes(calls + 1); // evicted: its content is checked again (the chain is still known)
  });

  it("a changed chain is verified again, and a bad chain is remembered as bad", async () => {
    const verify = vi.spyOn(globalThis.crypto.subtle, "verify");
    const check = createCachedVerifier();
    const recipe = await options('{"id":9}');
    await check(recipe);
    const calls = verify.mock.calls.length;
    const [leaf, , root] = pemBlocks(recipe.x5u);
    const brokenChain = { ...recipe, x5u: leaf! + root! };
    expect(await errorCode(check(brokenChain))).toBe("broken-chain");
    expect(await errorCode(check({ ...brokenChain, data: '{"id":10}' }))).toBe("broken-chain");
    expect(verify.mock.calls.length).toBe(calls);
  });
});
