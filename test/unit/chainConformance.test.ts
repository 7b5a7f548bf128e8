/**
 * Our verdict on every content-signature chain case of test/support/contentSignatureChains.ts: Firefox's
 * (asserted in Firefox by test/e2e/contentSignatureConformance.test.ts), or rejects where we are documented
 * to be stricter. Every generated certificate is also read by an independent parser, node:crypto's.
 */
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parsePemChain, verifyContentSignature } from "../../src/core/index.js";
import { isSignedBy } from "../../src/core/signatureVerification.js";
import {
  buildChainCases,
  expectedOurVerdict,
  SIGNER,
  XPCSHELL_ROOT_HASH,
  type ChainCase,
} from "../support/contentSignatureChains.js";
import { errorCode } from "./contentSignatureErrorCode.js";

const cases = await buildChainCases(new Date());

async function ourOutcome(chainCase: ChainCase): Promise<string> {
  const { data, signature, x5u } = chainCase;
  return errorCode(
    verifyContentSignature({ data, signature, x5u, expectedSubject: SIGNER, rootHash: XPCSHELL_ROOT_HASH }),
  );
}

describe("content-signature chain cases", () => {
  it("cover issue 21's table: the chains of its first eight rows we used to accept are refused, by Firefox and by us", () => {
    const formerlyAccepted = cases.filter((chainCase) => chainCase.formerlyAccepted);
    expect(
      formerlyAccepted.map((chainCase) => [chainCase.name, chainCase.firefox, expectedOurVerdict(chainCase)]),
    ).toEqual(formerlyAccepted.map((chainCase) => [chainCase.name, "rejects", "rejects"]));
    expect(formerlyAccepted).toHaveLength(8);
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("$name: ours $firefox (or stricter)", async (chainCase) => {
    const outcome = await ourOutcome(chainCase);
    expect(outcome === "valid" ? "accepts" : "rejects", `our outcome: ${outcome}`).toBe(expectedOurVerdict(chainCase));
  });
});

describe("generated certificates, read by node:crypto", () => {
  it.each(cases)("$name", async (chainCase) => {
    const ours = chainCase.certificates.map((pem) => parsePemChain(pem)[0]!);
    const theirs = chainCase.certificates.map((pem) => new X509Certificate(pem));
    for (const [index, certificate] of theirs.entries()) {
      const mine = ours[index]!;
      // OpenSSL's notion of a CA also asks for keyCertSign when a keyUsage is present.
      const canSign = mine.isCA && (!mine.keyUsage || mine.keyUsage.has("keyCertSign"));
      expect(certificate.ca, `ca of ${certificate.subject}`).toBe(canSign);
      expect(new Date(certificate.validFrom)).toEqual(mine.notBefore);
      expect(new Date(certificate.validTo)).toEqual(mine.notAfter);
      expect(certificate.subject).toContain(`CN=${mine.subject.commonName}`);
      expect(certificate.keyUsage ?? []).toEqual(mine.extendedKeyUsage ?? []);
      const dnsNames = (certificate.subjectAltName ?? "").split(", ").filter((name) => name.startsWith("DNS:"));
      expect(dnsNames).toEqual((mine.subjectAltName?.dnsNames ?? []).map((name) => `DNS:${name}`));
      // Both parsers agree on who signed what.
      for (const [issuerIndex, issuer] of theirs.entries()) {
        if (!certificate.checkIssued(issuer)) continue;
        expect(certificate.verify(issuer.publicKey)).toBe(await isSignedBy(mine, ours[issuerIndex]!.publicKey));
      }
    }
  });
});
