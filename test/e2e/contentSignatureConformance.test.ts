/**
 * Our content-signature verdicts beside Firefox's own verifier, on chains generated under Mozilla's public
 * "xpcshell signed apps" test root, which Firefox compiles in: `nsIContentSignatureVerifier
 * .asyncVerifyContentSignature(…, Ci.nsIX509CertDB.AppXPCShellRoot)` in the chrome context, ours in Node with
 * that root's hash pinned. Every verdict must be the same, except where ours is documented to be stricter
 * (it then rejects what Firefox accepts, never the other way round).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { verifyContentSignature } from "../../src/core/index.js";
import {
  buildChainCases,
  expectedOurVerdict,
  SIGNER,
  XPCSHELL_ROOT_HASH,
  type ChainCase,
  type Verdict,
} from "../support/contentSignatureChains.js";
import { type Firefox, launchFirefox } from "./harness/index.js";

/** Firefox's verdict on each case: false (or a thrown error, e.g. for a chain it cannot read) is a rejection. */
const VERIFY_IN_FIREFOX = `
const verifier = Cc["@mozilla.org/security/contentsignatureverifier;1"].createInstance(Ci.nsIContentSignatureVerifier);
const verdicts = [];
for (const { data, signature, x5u } of args[0]) {
  try {
    const valid = await verifier.asyncVerifyContentSignature(data, "p384ecdsa=" + signature, x5u, args[1], Ci.nsIX509CertDB.AppXPCShellRoot);
    verdicts.push(valid ? "accepts" : "rejects");
  } catch (error) {
    verdicts.push("rejects");
  }
}
return verdicts;`;

async function ourVerdict({ data, signature, x5u }: ChainCase): Promise<Verdict> {
  try {
    await verifyContentSignature({ data, signature, x5u, expectedSubject: SIGNER, rootHash: XPCSHELL_ROOT_HASH });
    return "accepts";
  } catch {
    return "rejects";
  }
}

describe("content-signature verdicts: ours beside Firefox's nsIContentSignatureVerifier", () => {
  let firefox: Firefox;
  let cases: ChainCase[];

  beforeAll(async () => {
    [firefox, cases] = await Promise.all([
      launchFirefox({ name: "contentSignatureConformance" }),
      buildChainCases(new Date()),
    ]);
  });

  beforeEach((context) => firefox.keepLogOnFailure(context));

  afterAll(async () => {
    await firefox?.dispose();
  });

  test("Firefox compiles in the xpcshell test root: the Autograph-shaped control chain verifies there", async () => {
    const { data, signature, x5u } = cases[0]!;
    expect(await firefox.evalInChrome<string[]>(VERIFY_IN_FIREFOX, [{ data, signature, x5u }], SIGNER)).toEqual([
      "accepts",
    ]);
  });

  test("every case: Firefox gives the recorded verdict, ours the same or a documented stricter one", async () => {
    const inputs = cases.map(({ data, signature, x5u }) => ({ data, signature, x5u }));
    const theirs = await firefox.evalInChrome<Verdict[]>(VERIFY_IN_FIREFOX, inputs, SIGNER);
    const ours = await Promise.all(cases.map(ourVerdict));
    const table = cases.map((chainCase, index) => ({
      name: chainCase.name,
      firefox: theirs[index],
      ours: ours[index],
      ...(chainCase.stricter ? { stricter: true } : {}),
    }));
    const expected = cases.map((chainCase) => ({
      name: chainCase.name,
      firefox: chainCase.firefox,
      ours: expectedOurVerdict(chainCase),
      ...(chainCase.stricter ? { stricter: true } : {}),
    }));
    expect(table).toEqual(expected);

    // A documented difference is only ever ours refusing what Firefox accepts.
    for (const row of table.filter((entry) => entry.firefox !== entry.ours)) {
      expect(row).toMatchObject({ firefox: "accepts", ours: "rejects", stricter: true });
    }
    // The rows of issue 21's table where we used to be laxer are refused on both sides.
    const formerlyAccepted = table.filter((_, index) => cases[index]!.formerlyAccepted);
    expect(formerlyAccepted).toHaveLength(8);
    expect(formerlyAccepted.every((row) => row.firefox === "rejects" && row.ours === "rejects")).toBe(true);
  });
});
