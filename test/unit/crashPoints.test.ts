/**
 * Crash consistency of preference studies and rollouts at every step: each change (enroll, update,
 * unenroll / roll back) is replayed with Firefox "killed" right after its 1st, 2nd, … durable write (a
 * storage write, a pref write), the pref file losing what it had not saved yet, as Firefox's does. After the
 * restart every pref is either owned by an active record with the record's value, or back to what it was.
 * The same happens to real Firefox, at random moments, in test/reliability/crash.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { PrefValue } from "../../experiment-apis/prefs/interface.js";
import { PreferenceRollouts } from "../../src/rollouts/PreferenceRollouts.js";
import { PreferenceExperimentStore } from "../../src/stores/PreferenceExperimentStore.js";
import { PreferenceRolloutStore } from "../../src/stores/PreferenceRolloutStore.js";
import { PreferenceExperiments } from "../../src/studies/PreferenceExperiments.js";
import { FakeEnrollmentTelemetry } from "../fakes/FakeEnrollmentTelemetry.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

class Killed extends Error {}

/** Counts durable writes; the `killAt`-th one happens, then every call fails, as if Firefox was gone. */
function killSwitch(prefs: FakePrefsApi, storage: MemoryStorage, killAt: number) {
  let writes = 0;
  const guard =
    <Args extends unknown[], Result>(write: (...args: Args) => Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      if (writes >= killAt) throw new Killed();
      writes += 1;
      return write(...args);
    };
  for (const method of ["setPref", "clearUserPref", "deletePref", "setStartupPrefs"] as const) {
    (prefs as unknown as Record<string, unknown>)[method] = guard(
      (prefs[method] as (...args: unknown[]) => Promise<unknown>).bind(prefs),
    );
  }
  storage.set = guard(storage.set.bind(storage));
  storage.setMany = guard(storage.setMany.bind(storage));
  storage.remove = guard(storage.remove.bind(storage));
  return {
    get writes() {
      return writes;
    },
  };
}

const STUDY_USER = "crash.study.user";
const STUDY_DEFAULT = "crash.study.default";
const ROLLOUT = "crash.rollout";

/** Firefox's prefs, the add-on's storage, and the add-on's modules of one session over them. */
interface World {
  prefs: FakePrefsApi;
  storage: MemoryStorage;
  experiments: PreferenceExperiments;
  rollouts: PreferenceRollouts;
}

/** The add-on starting on `prefs` and `storage`. */
async function start(prefs: FakePrefsApi, storage: MemoryStorage): Promise<World> {
  const telemetry = new FakeEnrollmentTelemetry();
  const warn = () => undefined;
  const world = {
    prefs,
    storage,
    experiments: new PreferenceExperiments({ prefs, store: new PreferenceExperimentStore(storage), telemetry, warn }),
    rollouts: new PreferenceRollouts({ prefs, store: new PreferenceRolloutStore(storage), telemetry, warn }),
  };
  await world.rollouts.init();
  await world.experiments.init();
  return world;
}

/**
 * Firefox killed: the pref file loses what it had not saved, the default branch is gone, and the next start
 * re-applies the startup prefs before the add-on starts again (on copies: the dead session's objects throw).
 */
function restartAfterCrash(dead: World): Promise<World> {
  dead.prefs.loseUnsavedChanges();
  const prefs = new FakePrefsApi();
  for (const [name, value] of dead.prefs.user) prefs.user.set(name, value);
  prefs.restart();
  const storage = new MemoryStorage();
  for (const [key, value] of dead.storage.data) storage.data.set(key, value);
  return start(prefs, storage);
}

const studyOptions = {
  slug: "study",
  actionName: "PreferenceExperimentAction",
  branch: "a",
  userFacingName: "n",
  userFacingDescription: "d",
  preferences: {
    [STUDY_USER]: { preferenceType: "string", preferenceBranchType: "user", preferenceValue: "study" },
    [STUDY_DEFAULT]: { preferenceType: "integer", preferenceBranchType: "default", preferenceValue: 7 },
  },
} as const;

/** The changes under test; `before` brings the world to the state the change starts from. */
const CHANGES: { name: string; before(world: World): Promise<void>; change(world: World): Promise<void> }[] = [
  {
    name: "preference study enrollment",
    before: async () => undefined,
    change: (world) => world.experiments.start(studyOptions).then(() => undefined),
  },
  {
    name: "preference study unenrollment",
    before: (world) => world.experiments.start(studyOptions).then(() => undefined),
    change: (world) => world.experiments.stop("study", { reason: "recipe-not-seen" }),
  },
  {
    name: "preference rollout",
    before: async () => undefined,
    change: (world) => world.rollouts.rollOut("rollout", [{ preferenceName: ROLLOUT, value: 1 }]),
  },
  {
    name: "preference rollout update",
    before: (world) => world.rollouts.rollOut("rollout", [{ preferenceName: ROLLOUT, value: 1 }]),
    change: (world) => world.rollouts.rollOut("rollout", [{ preferenceName: ROLLOUT, value: 2 }]),
  },
  {
    name: "preference rollback",
    before: (world) => world.rollouts.rollOut("rollout", [{ preferenceName: ROLLOUT, value: 1 }]),
    change: (world) => world.rollouts.rollBack("rollout"),
  },
];

/** Prefs that are not what they were before anything ran and that no active record owns at its value. */
async function untracked({ prefs, storage }: World): Promise<string[]> {
  const owned = new Map<string, PrefValue>();
  for (const experiment of await new PreferenceExperimentStore(storage).getAllActive()) {
    for (const [name, { preferenceValue, overridden }] of Object.entries(experiment.preferences))
      if (!overridden) owned.set(name, preferenceValue);
  }
  for (const rollout of await new PreferenceRolloutStore(storage).getAllActive()) {
    for (const { preferenceName, value } of rollout.preferences) owned.set(preferenceName, value);
  }
  const problems: string[] = [];
  for (const name of [STUDY_USER, STUDY_DEFAULT, ROLLOUT]) {
    const value = (await prefs.getPref(name, "user")) ?? null;
    if (owned.has(name) ? value !== owned.get(name) : value !== null)
      problems.push(`${name} = ${JSON.stringify(value)}, owned at ${JSON.stringify(owned.get(name))}`);
  }
  return problems;
}

describe("a crash after any write leaves every pref owned at its value or put back", () => {
  for (const { name, before, change } of CHANGES) {
    it(name, async () => {
      const crashPoints: string[] = [];
      for (let killAt = 0; ; killAt++) {
        const world = await start(new FakePrefsApi(), new MemoryStorage());
        await before(world);
        const kill = killSwitch(world.prefs, world.storage, killAt);
        const finished = await change(world).then(
          () => true,
          (error: unknown) => {
            if (!(error instanceof Killed)) throw error;
            return false;
          },
        );
        const after = await restartAfterCrash(world);
        const problems = await untracked(after);
        if (problems.length > 0) crashPoints.push(`killed after write ${killAt}: ${problems.join("; ")}`);
        if (finished) {
          expect(kill.writes).toBeGreaterThan(0);
          break;
        }
      }
      expect(crashPoints).toEqual([]);
    });
  }
});
