import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  canonicalJSON,
  Oid,
  parsePemChain,
  verifyCertificateChain,
  verifyContentSignature,
  type ContentSignatureOptions,
} from "../../src/core/index.js";
import { errorCode } from "./contentSignatureErrorCode.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const vectorsDir = path.resolve(repoRoot, "test/fixtures/content-signature");
const readVector = (name: string) => readFileSync(path.join(vectorsDir, name), "utf8");

interface VectorCase {
  name: string;
  expect: string;
  data?: string;
  signature?: string;
  x5u: string;
  expectedSubject: string;
  rootHash?: string;
  now: string;
}
const { cases } = JSON.parse(readVector("cases.json")) as { cases: VectorCase[] };

const DEV_CHAIN_FILE = "normandy.content-signature.mozilla.org-20210705.dev.chain";
const devChain = readVector(DEV_CHAIN_FILE);
const validCase = cases.find(
  (vector) => vector.expect === "valid" && vector.rootHash && vector.x5u === DEV_CHAIN_FILE,
)!;
const DEV_ROOT_HASH = validCase.rootHash!;
const RECIPE_SIGNER = "normandy.content-signature.mozilla.org";

/** The valid dev-chain case, with some fields replaced. */
function devOptions(overrides: Partial<ContentSignatureOptions> = {}): ContentSignatureOptions {
  return {
    data: validCase.data!,
    signature: validCase.signature!,
    x5u: devChain,
    expectedSubject: RECIPE_SIGNER,
    rootHash: DEV_ROOT_HASH,
    now: new Date(validCase.now),
    ...overrides,
  };
}

const pemBlocks = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----\n?/g)!;

describe("content-signature vectors (cases.json)", () => {
  it("has cases for every outcome", () => {
    expect(new Set(cases.map((vector) => vector.expect)).size).toBeGreaterThanOrEqual(9);
  });

  it.each(cases)("$name → $expect", async (vector) => {
    const options = {
      x5u: readVector(vector.x5u),
      expectedSubject: vector.expectedSubject,
      rootHash: vector.rootHash,
      now: new Date(vector.now),
    };
    if (vector.expect === "chain-valid") {
      const chain = await verifyCertificateChain(options);
      expect(chain.leaf.subject.commonName).toBe(vector.expectedSubject);
      return;
    }
    const outcome = await errorCode(
      verifyContentSignature({ ...options, data: vector.data!, signature: vector.signature! }),
    );
    expect(outcome).toBe(vector.expect);
  });
});

describe("legacy /api/v1/recipe/signed/ responses", () => {
  const legacyOptions = (file: string): ContentSignatureOptions => {
    const [{ recipe, signature }] = JSON.parse(readVector(file)) as [
      { recipe: unknown; signature: { signature: string; x5u: string } },
    ];
    expect(signature.x5u).toBe(`/${DEV_CHAIN_FILE}`);
    return devOptions({
      data: canonicalJSON(recipe),
      signature: signature.signature,
      now: new Date("2017-02-17T18:29:09Z"),
    });
  };

  it("verifies canonicalJSON(recipe) of the signed response", async () => {
    await expect(verifyContentSignature(legacyOptions("legacy-api-recipe-signed.json"))).resolves.toBeDefined();
  });

  it("rejects the response whose signature does not match its recipe", async () => {
    expect(await errorCode(verifyContentSignature(legacyOptions("legacy-api-recipe-signed-invalid.json")))).toBe(
      "signature-mismatch",
    );
  });
});

describe("verifyContentSignature", () => {
  it("reports for how long the verdict holds: the overlap of all certificates' validity", async () => {
    const chain = await verifyContentSignature(devOptions());
    expect(chain.validFrom.toISOString()).toBe("2016-07-06T21:57:15.000Z"); // leaf notBefore, the latest
    expect(chain.validUntil.toISOString()).toBe("2021-07-05T21:49:26.000Z"); // intermediate notAfter, the earliest
  });

  it("accepts the pinned root hash as plain hex in any case", async () => {
    const plain = DEV_ROOT_HASH.replace(/:/g, "");
    await expect(verifyContentSignature(devOptions({ rootHash: plain.toLowerCase() }))).resolves.toBeDefined();
    await expect(verifyContentSignature(devOptions({ rootHash: plain }))).resolves.toBeDefined();
  });

  it("defaults now to the current time (the dev leaf expired in 2021)", async () => {
    expect(await errorCode(verifyContentSignature(devOptions({ now: undefined })))).toBe("certificate-expired");
  });

  it("accepts base64url padding but not the standard base64 alphabet or bad padding", async () => {
    const raw = Buffer.from(validCase.signature!, "base64url");
    const padded = Buffer.from(raw.subarray(0, 95)).toString("base64url") + "=";
    expect(await errorCode(verifyContentSignature(devOptions({ signature: padded })))).toBe("wrong-signature-size");
    const overPadded = Buffer.from(raw.subarray(0, 95)).toString("base64url") + "==";
    expect(await errorCode(verifyContentSignature(devOptions({ signature: overPadded })))).toBe(
      "bad-signature-encoding",
    );
    const standard = raw.toString("base64");
    expect(standard).toMatch(/[+/]/);
    expect(await errorCode(verifyContentSignature(devOptions({ signature: standard })))).toBe("bad-signature-encoding");
  });

  it("rejects a signature of the right size made with another key", async () => {
    const flipped = Buffer.from(validCase.signature!, "base64url");
    flipped[95]! ^= 0x01;
    expect(await errorCode(verifyContentSignature(devOptions({ signature: flipped.toString("base64url") })))).toBe(
      "signature-mismatch",
    );
  });

  it("checks the encoding before the chain", async () => {
    const garbage = devOptions({ signature: "***", x5u: "no certificates here" });
    expect(await errorCode(verifyContentSignature(garbage))).toBe("bad-signature-encoding");
  });
});

describe("verifyCertificateChain on altered dev chains", () => {
  const [leafPem, intermediatePem, rootPem] = pemBlocks(devChain) as [string, string, string];
  const chainCode = (x5u: string) =>
    errorCode(verifyCertificateChain({ x5u, expectedSubject: RECIPE_SIGNER, now: new Date(validCase.now) }));

  it("rejects text without certificates and malformed certificates", async () => {
    expect(await chainCode("")).toBe("broken-chain");
    expect(await chainCode("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")).toBe("broken-chain");
    expect(await chainCode("-----BEGIN CERTIFICATE-----\n!!not base64!!\n-----END CERTIFICATE-----\n")).toBe(
      "broken-chain",
    );
  });

  it("rejects a gap in the chain (intermediate missing)", async () => {
    expect(await chainCode(leafPem + rootPem)).toBe("broken-chain");
  });

  it("rejects a chain that does not end in a self-issued root", async () => {
    expect(await chainCode(leafPem + intermediatePem)).toBe("broken-chain");
  });

  it("takes the first certificate as the signer's: an intermediate first is a CA used as the leaf", async () => {
    expect(await chainCode(intermediatePem + leafPem + rootPem)).toBe("wrong-key-usage");
  });

  it("builds the path from a pool in any order, as Firefox does", async () => {
    await expect(
      verifyCertificateChain({
        x5u: leafPem + rootPem + intermediatePem,
        expectedSubject: RECIPE_SIGNER,
        rootHash: DEV_ROOT_HASH,
        now: new Date(validCase.now),
      }),
    ).resolves.toBeDefined();
  });

  it("rejects a certificate whose issuer signature does not verify", async () => {
    const [leaf] = parsePemChain(leafPem);
    const der = Buffer.from(leaf!.der);
    der[der.length - 1]! ^= 0x01; // last byte of the RSA signature
    const tamperedPem = `-----BEGIN CERTIFICATE-----\n${der.toString("base64")}\n-----END CERTIFICATE-----\n`;
    expect(await chainCode(tamperedPem + intermediatePem + rootPem)).toBe("broken-chain");
  });
});

describe("parsePemChain", () => {
  it("reads names, keys, validity and extensions of Autograph's dev chain", () => {
    const [leaf, intermediate, root] = parsePemChain(devChain);
    expect(leaf?.subject.commonName).toBe(RECIPE_SIGNER);
    expect(leaf?.issuer.commonName).toBe("Devzilla Signing Services Intermediate 1");
    expect(leaf?.publicKey.type).toEqual({ kind: "ec", curve: "P-384" });
    expect(leaf?.signatureAlgorithm).toEqual({ scheme: "rsa-pkcs1", hash: "SHA-384" });
    expect(leaf?.isCA).toBe(false);
    expect([...(leaf?.keyUsage ?? [])]).toEqual(["digitalSignature"]);
    expect(leaf?.extendedKeyUsage).toEqual([Oid.codeSigning]);
    expect(leaf?.notAfter.toISOString()).toBe("2021-07-05T21:57:15.000Z");

    expect(intermediate?.isCA).toBe(true);
    expect(intermediate?.keyUsage?.has("keyCertSign")).toBe(true);
    expect(intermediate?.publicKey.type).toEqual({ kind: "rsa", modulusBits: 4096 });
    expect(leaf?.subjectAltName?.dnsNames).toEqual([RECIPE_SIGNER]);
    expect(intermediate?.pathLengthConstraint).toBeUndefined();
    expect([leaf, intermediate, root].map((certificate) => certificate?.unsupportedExtensions)).toEqual([[], [], []]);

    expect(root?.subject.commonName).toBe("dev.content-signature.root.ca");
    expect(Buffer.from(root!.subject.der).equals(Buffer.from(root!.issuer.der))).toBe(true);
  });

  it("reads the staging chain's ECDSA-signed leaf", () => {
    const [leaf, intermediate] = parsePemChain(
      readVector("normandy.content-signature.mozilla.org-2019-12-04-18-15-23.chain"),
    );
    expect(leaf?.signatureAlgorithm).toEqual({ scheme: "ecdsa", hash: "SHA-384" });
    expect(intermediate?.publicKey.type).toEqual({ kind: "ec", curve: "P-384" });
    expect(intermediate?.signatureAlgorithm).toEqual({ scheme: "rsa-pkcs1", hash: "SHA-256" });
  });
});
