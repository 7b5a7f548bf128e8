import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  bucketSample,
  fractionToKey,
  isStableSampled,
  ratioSample,
  stableSample,
  truncatedHash,
  withInputHash,
} from "../../src/core/sampling.js";

const inputs = Array.from({ length: 2000 }, (_, i) => `user-${i}`);

describe("known vectors (Firefox's test_Sampling.js)", () => {
  test("stableSample", async () => {
    expect(await stableSample("test-0", 0.5)).toBe(true);
    expect(await stableSample("test-1", 0.5)).toBe(false);
  });

  test("bucketSample", async () => {
    expect(await bucketSample("test-0", 0, 5, 10)).toBe(true);
    expect(await bucketSample("test-1", 0, 5, 10)).toBe(false);
  });

  test("ratioSample", async () => {
    expect(await ratioSample("test-0", [1, 1])).toBe(0);
    expect(await ratioSample("test-1", [1, 1])).toBe(1);
  });
});

describe("truncatedHash", () => {
  test("is the first 12 hex digits of SHA-256 over the UTF-8 of JSON.stringify(input)", async () => {
    for (const input of ["test-0", ["a", 1], { id: 7, name: "ü☃" }, 42, null]) {
      const expected = createHash("sha256").update(JSON.stringify(input), "utf8").digest("hex").slice(0, 12);
      expect(await truncatedHash(input)).toBe(expected);
    }
  });

  test("hashes undefined as the empty string, like Firefox's TextEncoder call", async () => {
    expect(await truncatedHash(undefined)).toBe(createHash("sha256").update("").digest("hex").slice(0, 12));
  });

  test("a string and the same string in an array are different inputs", async () => {
    expect(await truncatedHash("test-1")).not.toBe(await truncatedHash(["test-1"]));
  });
});

describe("fractionToKey", () => {
  test("maps [0, 1] onto 12-hex-digit keys", () => {
    expect(fractionToKey(0)).toBe("000000000000");
    expect(fractionToKey(0.5)).toBe("7fffffffffff");
    expect(fractionToKey(1)).toBe("ffffffffffff");
    expect(fractionToKey(1 / 16)).toBe("0fffffffffff");
  });

  test("rejects fractions outside [0, 1]", () => {
    expect(() => fractionToKey(-0.01)).toThrow(/between 0 and 1/);
    expect(() => fractionToKey(1.01)).toThrow(/between 0 and 1/);
  });

  test("passes NaN through as Firefox does, to a key that sorts above every digit-only key", () => {
    expect(fractionToKey(Number.NaN)).toBe("000000000NaN");
  });
});

describe("stableSample", () => {
  test("rate 0 samples nobody and rate 1 everybody", async () => {
    for (const input of inputs.slice(0, 200)) {
      expect(await stableSample(input, 0)).toBe(false);
      expect(await stableSample(input, 1)).toBe(true);
    }
  });

  test("samples close to the rate, and a larger rate keeps everyone a smaller one had", async () => {
    let atTenth = 0;
    let atThird = 0;
    for (const input of inputs) {
      const inTenth = await stableSample(input, 0.1);
      const inThird = await stableSample(input, 1 / 3);
      if (inTenth) expect(inThird).toBe(true);
      atTenth += Number(inTenth);
      atThird += Number(inThird);
    }
    expect(atTenth / inputs.length).toBeCloseTo(0.1, 1);
    expect(atThird / inputs.length).toBeCloseTo(1 / 3, 1);
  });

  test("is stableSample(rate) == hash < fractionToKey(rate), compared as strings", async () => {
    for (const input of inputs.slice(0, 100)) {
      expect(await stableSample(input, 0.42)).toBe((await truncatedHash(input)) < fractionToKey(0.42));
    }
  });

  test("rejects a rate outside [0, 1]", async () => {
    await expect(stableSample("x", 1.5)).rejects.toThrow(/between 0 and 1/);
  });
});

describe("bucketSample", () => {
  test("every input falls in exactly one of the buckets", async () => {
    const counts = new Array<number>(10).fill(0);
    for (const input of inputs.slice(0, 500)) {
      const hits: number[] = [];
      for (let bucket = 0; bucket < 10; bucket++) if (await bucketSample(input, bucket, 1, 10)) hits.push(bucket);
      expect(hits).toHaveLength(1);
      counts[hits[0]!]! += 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(25); // ~50 each
  });

  test("a range past the last bucket wraps around to the first ones", async () => {
    for (const input of inputs.slice(0, 300)) {
      const wrapped = await bucketSample(input, 8, 4, 10);
      const pieces = (await bucketSample(input, 8, 2, 10)) || (await bucketSample(input, 0, 2, 10));
      expect(wrapped).toBe(pieces);
      // A start beyond the total is taken modulo the total.
      expect(await bucketSample(input, 18, 4, 10)).toBe(wrapped);
    }
  });

  test("count == total covers everyone; count 0 nobody", async () => {
    for (const input of inputs.slice(0, 100)) {
      expect(await bucketSample(input, 3, 10, 10)).toBe(true);
      expect(await bucketSample(input, 3, 0, 10)).toBe(false);
    }
  });
});

describe("ratioSample", () => {
  test("splits inputs in proportion to the ratios", async () => {
    const counts = [0, 0, 0, 0];
    for (const input of inputs) counts[await ratioSample(input, [1, 2, 3, 4])]! += 1;
    expect(counts.map((count) => count / inputs.length)).toEqual([
      expect.closeTo(0.1, 1),
      expect.closeTo(0.2, 1),
      expect.closeTo(0.3, 1),
      expect.closeTo(0.4, 1),
    ]);
  });

  test("agrees with bucket boundaries: [1, 1] is stableSample(0.5) except on the boundary key", async () => {
    for (const input of inputs.slice(0, 300)) {
      expect(await ratioSample(input, [1, 1])).toBe((await stableSample(input, 0.5)) ? 0 : 1);
    }
  });

  test("a single ratio always gives 0; zero ratios get nobody", async () => {
    for (const input of inputs.slice(0, 100)) {
      expect(await ratioSample(input, [5])).toBe(0);
      expect(await ratioSample(input, [0, 1, 0])).toBe(1);
    }
  });

  test("rejects an empty list", async () => {
    await expect(ratioSample("x", [])).rejects.toThrow(/at least 1 element/);
  });
});

describe("withInputHash: a decision on the input's hash, at once when the hash is known", () => {
  test("a promise of it until the hash is known, then the decision itself", async () => {
    const input = ["with-input-hash", 1];
    const first = withInputHash(input, (inputHash) => `decided on ${inputHash}`);
    expect(first).toBeInstanceOf(Promise);
    const expected = `decided on ${await truncatedHash(input)}`;
    expect(await first).toBe(expected);
    expect(withInputHash(input, (inputHash) => `decided on ${inputHash}`)).toBe(expected);
  });

  test("shares its hashes with truncatedHash: an input hashed there is known here", async () => {
    await truncatedHash("hashed-by-truncatedHash");
    expect(withInputHash("hashed-by-truncatedHash", (inputHash) => inputHash)).toBe(
      await truncatedHash("hashed-by-truncatedHash"),
    );
  });

  test("throws at once where the asynchronous samplers reject", async () => {
    await truncatedHash("known-input");
    expect(() => withInputHash("known-input", (inputHash) => isStableSampled(inputHash, 2))).toThrow(/between 0 and 1/);
    await expect(stableSample("known-input", 2)).rejects.toThrow(/between 0 and 1/);
    expect(() => withInputHash(1n, (inputHash) => inputHash)).toThrow(TypeError); // BigInt has no JSON
    await expect(truncatedHash(1n)).rejects.toThrow(TypeError);
  });
});
