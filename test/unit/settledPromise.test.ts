/** Tracked promises: their value readable at once after they fulfil, nothing for a rejection. */
import { describe, expect, test } from "vitest";
import { settlementOf, trackSettlement } from "../../src/core/settledPromise.js";

/** Lets promise callbacks (the tracking's among them) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("trackSettlement and settlementOf", () => {
  test("a tracked promise's value is known once it has fulfilled, not before", async () => {
    let resolve!: (value: unknown) => void;
    const promise = new Promise((resolveWith) => (resolve = resolveWith));
    expect(trackSettlement(promise)).toBe(promise);
    expect(settlementOf(promise)).toBeUndefined();
    const value = { answer: 42 };
    resolve(value);
    await settle();
    expect(settlementOf(promise)).toEqual({ value });
    expect(settlementOf(promise)!.value).toBe(value);
  });

  test("undefined is a value like any other", async () => {
    const promise = trackSettlement(Promise.resolve(undefined));
    await settle();
    expect(settlementOf(promise)).toEqual({ value: undefined });
  });

  test("a rejection is not known, still reaches whoever awaits the promise, and is not reported as unhandled", async () => {
    const rejected = trackSettlement(Promise.reject(new Error("no value")));
    await settle(); // vitest would report an unhandled rejection here
    expect(settlementOf(rejected)).toBeUndefined();
    await expect(rejected).rejects.toThrow("no value");
  });

  test("nothing is known of a promise that is not tracked, nor of what is not a promise", async () => {
    const untracked = Promise.resolve(1);
    await settle();
    for (const value of [untracked, 1, "text", null, undefined, { value: 1 }])
      expect(settlementOf(value)).toBeUndefined();
  });
});
