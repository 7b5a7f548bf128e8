/**
 * Keys that name Object.prototype's members (`__proto__`, `constructor`, …) are ordinary data wherever data
 * names things: argument keys, pref names, slugs. Plain assignment of `__proto__` would replace an object's
 * prototype instead, so the entry would silently vanish (a pref the study claims but never sets, or sets
 * but never re-applies). Found by the hostile-recipe fuzzer's prototype-key mutations.
 */
import { describe, expect, it } from "vitest";
import { ACTION_SCHEMAS, validateJson } from "../../src/core/index.js";
import { PreferenceRollouts } from "../../src/rollouts/PreferenceRollouts.js";
import { PreferenceExperimentStore } from "../../src/stores/PreferenceExperimentStore.js";
import { PreferenceRolloutStore } from "../../src/stores/PreferenceRolloutStore.js";
import { PreferenceExperiments, type BranchPreference } from "../../src/studies/PreferenceExperiments.js";
import { FakeEnrollmentTelemetry } from "../fakes/FakeEnrollmentTelemetry.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

/** As a server's JSON arrives: `__proto__` an own key, like JSON.parse makes it. */
const fromJson = <T>(json: string) => JSON.parse(json) as T;

describe("keys named like Object.prototype members", () => {
  it("argument validation keeps them as keys", () => {
    const args = fromJson<Record<string, unknown>>(
      `{"slug":"s","userFacingName":"n","userFacingDescription":"d","isEnrollmentPaused":false,
        "branches":[{"slug":"a","ratio":1,"preferences":{"__proto__":{"preferenceType":"string","preferenceBranchType":"user","preferenceValue":"x"}}}]}`,
    );
    const result = validateJson(args, ACTION_SCHEMAS["multi-preference-experiment"]);
    expect(result.valid).toBe(true);
    const preferences = (result as { value: { branches: { preferences: object }[] } }).value.branches[0]!.preferences;
    expect(Object.keys(preferences)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(preferences)).toBe(Object.prototype);
  });

  it("a preference study sets, records and re-applies a pref named __proto__", async () => {
    const prefs = new FakePrefsApi();
    const store = new PreferenceExperimentStore(new MemoryStorage());
    const experiments = new PreferenceExperiments({
      prefs,
      store,
      telemetry: new FakeEnrollmentTelemetry(),
      warn: () => undefined,
    });
    const preferences = fromJson<Record<string, BranchPreference>>(
      `{"__proto__":{"preferenceType":"string","preferenceBranchType":"default","preferenceValue":"on"}}`,
    );

    await experiments.start({
      slug: "proto",
      actionName: "PreferenceExperimentAction",
      branch: "a",
      preferences,
      userFacingName: "n",
      userFacingDescription: "d",
    });

    expect(prefs.defaults.get("__proto__")).toBe("on");
    expect(Object.keys((await store.get("proto"))!.preferences)).toEqual(["__proto__"]);
    expect(prefs.startupPrefs("experiments")).toEqual(fromJson(`{"__proto__":"on"}`));
  });

  it("a preference rollout re-applies a pref named __proto__ at the next start", async () => {
    const prefs = new FakePrefsApi();
    const rollouts = new PreferenceRollouts({
      prefs,
      store: new PreferenceRolloutStore(new MemoryStorage()),
      telemetry: new FakeEnrollmentTelemetry(),
      warn: () => undefined,
    });

    await rollouts.rollOut("proto-rollout", [{ preferenceName: "__proto__", value: 5 }]);

    expect(prefs.startupPrefs("rollouts")).toEqual(fromJson(`{"__proto__":5}`));
  });

  it("a store keeps a record whose slug is __proto__ (or constructor, toString, …) like any other", async () => {
    const storage = new MemoryStorage();
    const store = new PreferenceRolloutStore(storage);
    for (const slug of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      await store.add({
        slug,
        state: "active",
        preferences: [{ preferenceName: `p.${slug}`, value: 1, previousValue: null }],
        enrollmentId: "id",
      });
    }
    const reopened = new PreferenceRolloutStore(storage);
    expect((await reopened.getAll()).map((rollout) => rollout.slug).sort()).toEqual([
      "__proto__",
      "constructor",
      "hasOwnProperty",
      "toString",
    ]);
    expect(await reopened.get("__proto__")).toMatchObject({ slug: "__proto__" });
    expect(await reopened.get("valueOf")).toBeUndefined();
  });
});
