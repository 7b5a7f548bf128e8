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

const studyOptions = (extensionApiId: number) => ({
  recipeId: 1,
  slug: SLUG,
  userFacingName: "n",
  userFacingDescription: "d",
  branch: "treatment",
  extensionApiId,
});

/** A study's or a rollout's add-on: its enrollment at 1.0, or its update from 1.0 to 2.0. */
function installChange(kind: "study" | "rollout", phase: "enrollment" | "update"): Change {
  const version = phase === "enrollment" ? "1.0" : "2.0";
  const previous = phase === "enrollment" ? null : "1.0";
  const install = (client: Client, extensionApiId: number) =>
    kind === "study"
      ? phase === "enrollment" || extensionApiId === 1
        ? client.studies.enroll(studyOptions(extensionApiId))
        : client.studies.update(1, { slug: "treatment", extensionApiId })
      : client.rollouts.apply(1, SLUG, extensionApiId);
  return {
    name: `add-on ${kind} ${phase}`,
    before: async (client) => {
      client.publish(1, ADDON, "1.0");
      if (phase === "enrollment") return;
      await install(client, 1);
      client.publish(2, ADDON, "2.0");
    },
    change: (client) => install(client, phase === "enrollment" ? 1 : 2),
    event: {
      method: phase === "enrollment" ? "enroll" : "update",
      object: kind === "study" ? "addon_study" : "addon_rollout",
      version,
    },
    happened: (client) => client.addons.installed.get(ADDON)?.version === version,
    recordProblem: async (client, happened) => {
      const record = kind === "study" ? await client.studyStore.get(1) : await client.rolloutStore.get(SLUG);
      const expected = happened ? version : previous;
      if ((record?.addonVersion ?? null) !== expected || (record && record.pendingChange !== null))
        return `${kind} ${JSON.stringify(record)}, expected ${expected}`;
      return null;
    },
  };
}

const CHANGES: Change[] = [
  installChange("study", "enrollment"),
  installChange("study", "update"),
  installChange("rollout", "enrollment"),
  installChange("rollout", "update"),
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
  it.each(CHANGES.map((change) => [change.name, change] as const))(
    "%s: the success event exactly once if it happened, never if not",
    async (_name, change) => {
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
          .filter(
            (event) =>
              event.method === method &&
              event.object === object &&
              (version === null || event.extra.addonVersion === version),
          );
        const expected = happened ? 1 : 0;
        if (recorded.length !== expected)
          problems.push(
            `killed before step ${killAt + 1} of ${total}: ${recorded.length} ${method} events, expected ${expected}`,
          );
        if (recorded.some((event) => event.extra.enrollmentId === undefined))
          problems.push(`killed before step ${killAt + 1}: an event without enrollmentId`);
        const recordProblem = await change.recordProblem(client, happened);
        if (recordProblem) problems.push(`killed before step ${killAt + 1} of ${total}: ${recordProblem}`);
      }
      expect(problems).toEqual([]);
    },
  );
});
