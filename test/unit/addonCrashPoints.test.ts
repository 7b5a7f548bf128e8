/**
 * An add-on change's success event is recorded exactly once, whatever moment Firefox dies: each change (an
 * add-on study's enrollment and update, an add-on rollout's enrollment, update and rollback) is replayed with
 * Firefox "killed" right before its 1st, 2nd, … durable step (a storage write, an event recorded), then
 * restarted. After the restart the change either happened (the add-on at the new version, the record saying
 * so, its event recorded once) or did not (the record as before, no event), and nothing is left pending.
 * The same is done to real Firefox, at the moment it reports the new version installed, in
 * test/reliability/addonEventCrash.test.ts.
 */
import { describe, expect, it } from "vitest";
import { addonClient } from "./addonStudyHarness.js";

const ADDON = "crash-points@example.test";
const SLUG = "crash-points";

type Client = Awaited<ReturnType<typeof addonClient>>;

class Killed extends Error {}

/**
 * From now on, the `killAt`-th durable step and every later one fail, as if Firefox was gone; returns the
 * function that brings Firefox back (for the restart) and tells how many steps were taken.
 */
function armKill(client: Client, killAt: number): { revive(): void; readonly steps: number } {
  let steps = 0;
  const guarded: [object, string, unknown][] = [];
  const guard = (target: object, method: string) => {
    const original = (target as Record<string, (...args: unknown[]) => Promise<unknown>>)[method]!;
    guarded.push([target, method, original]);
    (target as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      if (steps >= killAt) throw new Killed();
      steps += 1;
      return original.apply(target, args);
    };
  };
  for (const method of ["set", "setMany", "remove"]) guard(client.storage, method);
  guard(client.telemetry, "recordEvent");
  return {
    revive() {
      for (const [target, method, original] of guarded) (target as Record<string, unknown>)[method] = original;
    },
    get steps() {
      return steps;
    },
  };
}

interface Change {
  name: string;
  /** The state before the change, reached with nothing armed. */
  before(client: Client): Promise<void>;
  change(client: Client): Promise<unknown>;
  /** The success event's method and object, and the version it names (null: a rollback). */
  event: { method: string; object: string; version: string | null };
  /** Whether the change happened, by what Firefox has installed. */
  happened(client: Client): boolean;
  /** The record agrees with what Firefox has; a problem, or null. */
  recordProblem(client: Client, happened: boolean): Promise<string | null>;
}

const studyOptions = (extensionApiId: number) => ({ recipeId: 1, slug: SLUG, userFacingName: "n", userFacingDescription: "d", branch: "treatment", extensionApiId });

const studyRecord = async (client: Client, happened: boolean, version: string, previous: string | null) => {
  const study = await client.studyStore.get(1);
  const expected = happened ? version : previous;
  if ((study?.addonVersion ?? null) !== expected || (study && study.pendingChange !== null)) return `study ${JSON.stringify(study)}, expected ${expected}`;
  return null;
};

const rolloutRecord = async (client: Client, happened: boolean, version: string, previous: string | null) => {
  const rollout = await client.rolloutStore.get(SLUG);
  const expected = happened ? version : previous;
  if ((rollout?.addonVersion ?? null) !== expected || (rollout && rollout.pendingChange !== null)) return `rollout ${JSON.stringify(rollout)}, expected ${expected}`;
  return null;
};

const atVersion = (version: string) => (client: Client) => client.addons.installed.get(ADDON)?.version === version;

const CHANGES: Change[] = [
  {
    name: "add-on study enrollment",
    before: async (client) => void client.publish(1, ADDON, "1.0"),
    change: (client) => client.studies.enroll(studyOptions(1)),
    event: { method: "enroll", object: "addon_study", version: "1.0" },
    happened: atVersion("1.0"),
    recordProblem: (client, happened) => studyRecord(client, happened, "1.0", null),
  },
  {
    name: "add-on study update",
    before: async (client) => {
      client.publish(1, ADDON, "1.0");
      await client.studies.enroll(studyOptions(1));
      client.publish(2, ADDON, "2.0");
    },
    change: (client) => client.studies.update(1, { slug: "treatment", extensionApiId: 2 }),
    event: { method: "update", object: "addon_study", version: "2.0" },
    happened: atVersion("2.0"),
    recordProblem: (client, happened) => studyRecord(client, happened, "2.0", "1.0"),
  },
  {
    name: "add-on rollout enrollment",
    before: async (client) => void client.publish(1, ADDON, "1.0"),
    change: (client) => client.rollouts.apply(1, SLUG, 1),
    event: { method: "enroll", object: "addon_rollout", version: "1.0" },
    happened: atVersion("1.0"),
    recordProblem: (client, happened) => rolloutRecord(client, happened, "1.0", null),
  },
  {
    name: "add-on rollout update",
    before: async (client) => {
      client.publish(1, ADDON, "1.0");
      await client.rollouts.apply(1, SLUG, 1);
      client.publish(2, ADDON, "2.0");
    },
    change: (client) => client.rollouts.apply(1, SLUG, 2),
    event: { method: "update", object: "addon_rollout", version: "2.0" },
    happened: atVersion("2.0"),
    recordProblem: (client, happened) => rolloutRecord(client, happened, "2.0", "1.0"),
  },
  {
    name: "add-on rollout rollback",
    before: async (client) => {
      client.publish(1, ADDON, "1.0");
      await client.rollouts.apply(1, SLUG, 1);
    },
    change: (client) => client.rollouts.rollBack(SLUG),
    event: { method: "unenroll", object: "addon_rollback", version: null },
    happened: (client) => !client.addons.installed.has(ADDON),
    recordProblem: async (client) => {
      const rollout = await client.rolloutStore.get(SLUG);
      // A rollback that started is finished at start-up: the record says rolled back, nothing pending.
      if (rollout?.state === "rolled-back" && rollout.pendingChange === null) return null;
      if (rollout?.state === "active" && client.addons.installed.has(ADDON)) return null;
      return `rollout ${JSON.stringify(rollout)}`;
    },
  },
];

describe("add-on changes killed before each durable step, then restarted", () => {
  it.each(CHANGES.map((change) => [change.name, change] as const))("%s: the success event exactly once if it happened, never if not", async (_name, change) => {
    // How many steps the change takes when nothing kills it.
    const probe = await addonClient();
    await change.before(probe);
    const counter = armKill(probe, Number.POSITIVE_INFINITY);
    await change.change(probe);
    const total = counter.steps;
    expect(total).toBeGreaterThan(1);

    const problems: string[] = [];
    for (let killAt = 0; killAt <= total; killAt++) {
      const client = await addonClient();
      await change.before(client);
      const eventsBefore = client.telemetry.events.length;
      const kill = armKill(client, killAt);
      await change.change(client).catch((error: unknown) => {
        if (!(error instanceof Killed)) throw error;
      });
      await client.addons.settled();
      kill.revive();
      await client.restart();

      const happened = change.happened(client);
      const { method, object, version } = change.event;
      const recorded = client.telemetry.events
        .slice(eventsBefore)
        .filter((event) => event.method === method && event.object === object && (version === null || event.extra.addonVersion === version));
      const expected = happened ? 1 : 0;
      if (recorded.length !== expected) problems.push(`killed before step ${killAt + 1} of ${total}: ${recorded.length} ${method} events, expected ${expected}`);
      if (recorded.some((event) => event.extra.enrollmentId === undefined)) problems.push(`killed before step ${killAt + 1}: an event without enrollmentId`);
      const recordProblem = await change.recordProblem(client, happened);
      if (recordProblem) problems.push(`killed before step ${killAt + 1} of ${total}: ${recordProblem}`);
    }
    expect(problems).toEqual([]);
  });
});
