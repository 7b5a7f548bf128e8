/**
 * How long verifying 1,000 signed recipes takes in Node: cold (fresh verdict cache) and warm (nothing
 * changed since the last run), beside the irreducible cost of 1,000 raw P-384 WebCrypto verifications.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalJSON, createCachedVerifier } from "../src/core/index.js";
import { loadOrCreatePki } from "../server/pki.js";
import { defineBench } from "./defineBench.js";
import { measure, ratio } from "./measure.js";

const RECIPES = 1000;
const SIGNER = "normandy.content-signature.mozilla.org";

defineBench("signature-verification", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "bench-pki-"));
  try {
    const pki = await loadOrCreatePki(dataDir);
    const x5u = pki.chainPem(SIGNER);
    const signed = await Promise.all(
      Array.from({ length: RECIPES }, async (_, id) => {
        const data = canonicalJSON({
          id,
          name: `recipe ${id}`,
          action: "console-log",
          arguments: { message: `m${id}` },
          filter_expression: "true",
          revision_id: "1",
        });
        return { data, signature: await pki.sign(SIGNER, data) };
      }),
    );
    const options = (entry: { data: string; signature: string }) => ({
      ...entry,
      x5u,
      expectedSubject: SIGNER,
      rootHash: pki.rootHash,
    });

    const verifyAll = async (verify: ReturnType<typeof createCachedVerifier>) => {
      for (const entry of signed) await verify(options(entry));
    };
    const cold = await measure(`verify ${RECIPES} recipes, cold`, async () =>
      verifyAll(createCachedVerifier(RECIPES * 2)),
    );
    const warmVerifier = createCachedVerifier(RECIPES * 2);
    await verifyAll(warmVerifier);
    const warm = await measure(`verify ${RECIPES} recipes, warm`, () => verifyAll(warmVerifier));
    const raw = await measure(`${RECIPES} raw P-384 verifications`, () => rawVerifications(signed.length));
    const baseline = `${RECIPES} raw P-384`;
    return [
      { ...cold, ratios: { [baseline]: ratio(cold.median, raw.median) } },
      { ...warm, ratios: { [baseline]: ratio(warm.median, raw.median) } },
      raw,
    ];
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

/** The floor: `count` WebCrypto ECDSA P-384/SHA-384 verifications of a small message with one key. */
async function rawVerifications(count: number): Promise<void> {
  const { subtle } = globalThis.crypto;
  const keys = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, ["sign", "verify"]);
  const message = new TextEncoder().encode('Content-Signature:\x00{"id":1}');
  const signature = await subtle.sign({ name: "ECDSA", hash: "SHA-384" }, keys.privateKey, message);
  for (let i = 0; i < count; i++)
    await subtle.verify({ name: "ECDSA", hash: "SHA-384" }, keys.publicKey, signature, message);
}
