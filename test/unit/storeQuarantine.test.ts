import { afterEach, describe, expect, it, vi } from "vitest";
import { AddonStudyStore } from "../../src/stores/AddonStudyStore.js";
import { PreferenceExperimentStore } from "../../src/stores/PreferenceExperimentStore.js";
import { PreferenceRolloutStore } from "../../src/stores/PreferenceRolloutStore.js";
import { StoreQuarantine } from "../../src/stores/StoreQuarantine.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";
import { preferenceExperimentRecord } from "./preferenceExperimentRecord.js";

/** What is stored under `key`, as the add-on's storage holds it (JSON). */
const raw = (storage: MemoryStorage, key: string) => storage.data.get(key);

describe("damaged stored values are quarantined, reported and rebuilt from what can be read", () => {
  const errors: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    errors.length = 0;
  });
  const watchConsole = () =>
    vi.spyOn(console, "error").mockImplementation((message: string) => void errors.push(message));

  it("keeps the sound records, sets the damaged value aside unchanged, and says so once", async () => {
    watchConsole();
    const storage = new MemoryStorage();
    const damaged = JSON.stringify({
      experiments: {
        good: preferenceExperimentRecord("good"),
        bad: "half-written",
        wrongKey: preferenceExperimentRecord("other"),
      },
    });
    storage.data.set("preferenceExperiments", damaged);

    const store = new PreferenceExperimentStore(storage);
    expect((await store.getAll()).map((record) => record.slug)).toEqual(["good"]);

    const notes = await new StoreQuarantine(storage).notes();
    expect(notes).toEqual([
      {
        key: "preferenceExperiments",
        quarantinedAs: expect.stringMatching(/^quarantine\.preferenceExperiments\.\d+$/),
        at: expect.any(String),
        problem: '"bad": not a valid preference experiment; "wrongKey": not a valid preference experiment',
        kept: 1,
        dropped: 2,
      },
    ]);
    expect(raw(storage, notes[0]!.quarantinedAs)).toBe(damaged);
    expect(errors).toEqual([expect.stringContaining("Stored preferenceExperiments was damaged")]);

    // Rebuilt and written back: a second load (another start) finds nothing wrong.
    expect((await new PreferenceExperimentStore(storage).getAll()).map((record) => record.slug)).toEqual(["good"]);
    expect(await new StoreQuarantine(storage).notes()).toHaveLength(1);
  });

  it("a value of the wrong shape altogether is kept too, and the store starts empty but says why", async () => {
    watchConsole();
    const storage = new MemoryStorage();
    storage.data.set("preferenceRollouts", JSON.stringify("not an object"));

    expect(await new PreferenceRolloutStore(storage).getAll()).toEqual([]);
    const [note] = await new StoreQuarantine(storage).notes();
    expect(note).toMatchObject({
      key: "preferenceRollouts",
      problem: "expected {rollouts: …}, found a string",
      kept: 0,
      dropped: 0,
    });
    expect(raw(storage, note!.quarantinedAs)).toBe(JSON.stringify("not an object"));
  });

  it("checks the add-on study records (keyed by recipe id) the same way", async () => {
    watchConsole();
    const storage = new MemoryStorage();
    storage.data.set(
      "addonStudies",
      JSON.stringify({ records: { "7": { recipeId: 8, slug: "moved", active: true } } }),
    );

    expect(await new AddonStudyStore(storage).getAll()).toEqual([]);
    expect(await new StoreQuarantine(storage).notes()).toMatchObject([
      { key: "addonStudies", problem: '"7": not a valid add-on study', dropped: 1 },
    ]);
  });
});
