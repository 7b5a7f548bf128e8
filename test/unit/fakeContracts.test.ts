/**
 * The fakes of the experiment APIs refuse what Firefox refuses (the parent script's own checks and the
 * schema's), so a unit test cannot pass on a call the real API would reject.
 */
import { describe, expect, it } from "vitest";
import { FakeAddonsApi } from "../fakes/FakeAddonsApi.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";

describe("FakePrefsApi keeps the prefs API's contract", () => {
  it.each([2 ** 31, -(2 ** 31) - 1, 1.5])(
    "refuses to store %d, as libpref's 32-bit integer prefs cannot hold it",
    async (value) => {
      const prefs = new FakePrefsApi();

      await expect(prefs.setPref("a.b", value, "user")).rejects.toThrow(
        `Cannot set pref "a.b" to ${value}: number prefs must be 32-bit integers`,
      );
      await expect(prefs.setStartupPrefs("rollouts", { "a.c": "kept", "a.b": value })).rejects.toThrow(
        /number prefs must be 32-bit integers/,
      );

      expect(await prefs.getPrefType("a.b")).toBe("invalid");
      expect(prefs.startupPrefs("rollouts")).toEqual({});
    },
  );

  it("stores the 32-bit bounds themselves", async () => {
    const prefs = new FakePrefsApi();

    await prefs.setPref("a.max", 2 ** 31 - 1, "user");
    await prefs.setPref("a.min", -(2 ** 31), "default");

    expect([await prefs.getPref("a.max", "user"), await prefs.getPref("a.min", "default")]).toEqual([
      2 ** 31 - 1,
      -(2 ** 31),
    ]);
  });

  it("refuses a change listener for no pref (the schema's minItems: 1)", () => {
    const prefs = new FakePrefsApi();
    const listener = () => undefined;

    expect(() => prefs.onPrefChanged.addListener(listener, [])).toThrow(/at least one pref/);
    expect(prefs.onPrefChanged.hasListener(listener)).toBe(false);
  });
});

describe("FakeAddonsApi keeps the addons schema's contract", () => {
  const url = "https://example.com/a.xpi";
  const limits = { maxBytes: 1000, timeoutMs: 1000 };

  it.each([
    ["no algorithm", "abc123"],
    ["a hash that is not hex", "sha256:xyz"],
    ["an empty hash", ""],
  ])("refuses %s before downloading", async (_what, hash) => {
    const addons = new FakeAddonsApi();

    await expect(addons.prepareInstall(url, hash, limits)).rejects.toThrow(/does not match/);
    expect(addons.calls).toEqual([]);
  });

  it.each([
    { maxBytes: 0, timeoutMs: 1000 },
    { maxBytes: 1000, timeoutMs: 0.5 },
  ])("refuses download limits %j", async (badLimits) => {
    const addons = new FakeAddonsApi();

    await expect(addons.prepareInstall(url, "sha256:ab12", badLimits)).rejects.toThrow(
      /must be an integer of at least 1/,
    );
    expect(addons.calls).toEqual([]);
  });
});
