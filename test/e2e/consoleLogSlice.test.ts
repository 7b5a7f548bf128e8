/**
 * The first vertical slice, end to end in a real Firefox: the local server publishes signed console-log
 * recipes; the add-on fetches them, verifies the collection and each recipe, evaluates the filters, runs the
 * matching recipe's action (its message reaches the browser console) and records uptake in Glean and in its
 * event log. The non-matching recipe is reported as backoff and its message never appears.
 */
import { describe, expect, it } from "vitest";
import { useServerAndAddon } from "./support/serverAndAddon.js";

const MATCHING = "Hello from a matching recipe";
const NOT_MATCHING = "This recipe targets another locale";
const PUBLISHED_LATER = "Published while Firefox was running";
const UNTRUSTED = "Must never run: signed under a root the client does not trust";

describe("console-log recipes, end to end", () => {
  let matchingId: number;
  let notMatchingId: number;
  const running = useServerAndAddon("console-log-slice", {
    prefs: { "intl.locale.requested": "en-US" },
    prepareServer: async (server) => {
      const create = (message: string, filter: string) =>
        server.store.create(
          { name: message, action: "console-log", arguments: { message }, filter_expression: filter, capabilities: [] },
          true,
        ).id;
      matchingId = create(MATCHING, "normandy.locale == 'en-US' && normandy.version != null");
      notMatchingId = create(NOT_MATCHING, "normandy.locale == 'xx-YY'");
      await server.publish();
    },
  });

  it("runs at start-up and reports success for the runner, the recipe and the action", async () => {
    const [run] = await running.addon.waitForRuns(1);
    expect(run).toMatchObject({ trigger: "startup", runnerStatus: "success" });
    expect(run!.recipes).toEqual([
      expect.objectContaining({ id: matchingId, suitability: "filter-match", status: "success" }),
      expect.objectContaining({ id: notMatchingId, suitability: "filter-mismatch", status: "backoff" }),
    ]);
  });

  it("the matching recipe's message is in the browser console; the other one's is not", async () => {
    const logged = (await running.addon.consoleMessages()).flatMap((message) => message.args);
    expect(logged).toContain(MATCHING);
    expect(logged).not.toContain(NOT_MATCHING);
  });

  it("Glean holds the uptake of every level, read in the chrome context", async () => {
    expect(await running.addon.gleanUptake()).toEqual([
      { source: `normandy/recipe/${matchingId}`, value: "success" },
      { source: `normandy/recipe/${notMatchingId}`, value: "backoff" },
      { source: "normandy/action/ConsoleLogAction", value: "success" },
      // Every registered action is finalized each run, used or not (that is where studies end).
      { source: "normandy/action/PreferenceExperimentAction", value: "success" },
      { source: "normandy/action/SinglePreferenceExperimentAction", value: "success" },
      { source: "normandy/action/PreferenceRolloutAction", value: "success" },
      { source: "normandy/action/PreferenceRollbackAction", value: "success" },
      { source: "normandy/action/BranchedAddonStudyAction", value: "success" },
      { source: "normandy/action/AddonRolloutAction", value: "success" },
      { source: "normandy/action/AddonRollbackAction", value: "success" },
      { source: "normandy/action/ShowHeartbeatAction", value: "success" },
      { source: "normandy/runner", value: "success" },
    ]);
  });

  it("the local event log holds the same uptake, in the event format", async () => {
    const { events } = await running.addon.state();
    const glean = await running.addon.gleanUptake();
    // The rest are the client's own pings (health, performance; see healthTelemetry.test.ts).
    const uptake = events.filter(([, category]) => category === "uptake.remotecontent.result");
    expect(uptake.map(([, ...rest]) => rest)).toEqual(
      glean.map(({ source, value }) => ["uptake.remotecontent.result", "uptake", "normandy", value, { source }]),
    );
    for (const [timestamp] of events) expect(timestamp).toBeGreaterThan(0);
  });

  it("a recipe published later runs when QA presses Run now", async () => {
    running.server.store.create(
      {
        name: "later",
        action: "console-log",
        arguments: { message: PUBLISHED_LATER },
        filter_expression: "true",
        capabilities: [],
      },
      true,
    );
    await running.server.publish();

    const run = await running.addon.runNow();

    expect(run).toMatchObject({ trigger: "manual", runnerStatus: "success" });
    expect(run.recipes.map((recipe) => recipe.status)).toEqual(["success", "backoff", "success"]);
    const logged = (await running.addon.consoleMessages()).flatMap((message) => message.args);
    expect(logged).toContain(PUBLISHED_LATER);
  });

  it("acts on nothing when the signatures do not chain to the pinned root", async () => {
    const rootHashPref = "extensions.recipeclient.root_hash";
    const setRootHash = (value: string) =>
      running.addon.firefox.evalInChrome(`Services.prefs.setStringPref(args[0], args[1]);`, rootHashPref, value);
    running.server.store.create(
      {
        name: "untrusted",
        action: "console-log",
        arguments: { message: UNTRUSTED },
        filter_expression: "true",
        capabilities: [],
      },
      true,
    );
    await running.server.publish();
    await setRootHash("AA:".repeat(31) + "AA");
    try {
      const run = await running.addon.runNow();
      expect(run).toMatchObject({ runnerStatus: "sign_error", recipes: [] });
      expect(run.error).toMatch(/collection signature does not verify \(wrong-root/);
    } finally {
      await setRootHash(running.server.config.rootHash);
    }
    const logged = (await running.addon.consoleMessages()).flatMap((message) => message.args);
    expect(logged).not.toContain(UNTRUSTED);
    expect((await running.addon.gleanUptake()).at(-1)).toEqual({ source: "normandy/runner", value: "sign_error" });
  });
});
