import { describe, expect, it } from "vitest";
import { ActionsManager } from "../../src/actions/ActionsManager.js";
import type { FinalizeOptions } from "../../src/actions/BaseAction.js";
import { ConsoleLogAction } from "../../src/actions/ConsoleLogAction.js";
import type { ClientConfig } from "../../src/config/ClientConfig.js";
import { createCachedVerifier, nativeRegExpMatch } from "../../src/core/index.js";
import { MANUAL_TRIGGER, RecipeRunner } from "../../src/runner/RecipeRunner.js";
import { EventLogStore } from "../../src/stores/EventLogStore.js";
import type { RunningRecipeServer } from "../../server/recipeServer.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { FakeTelemetryApi } from "../fakes/FakeTelemetryApi.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";
import { runnerRecords } from "../fakes/runnerRecords.js";
import { useTestServers } from "./serverHarness.js";
import { staticFilterContext } from "../fakes/staticFilterContext.js";
import { FailingAction } from "../fakes/FailingAction.js";

/** How long the `normandy.slowAttribute` of the test context takes to compute. */
const SLOW_ATTRIBUTE_MS = 30;

/**
 * A runner wired like the background page, with fakes for Firefox and the real server over HTTP. Its filter
 * context has `version` and `locale`, plus two attributes computed through the run's context timer like
 * ClientContext's: `slowAttribute` (true, after SLOW_ATTRIBUTE_MS) and `failingAttribute` (always rejects).
 */
function clientFor(
  server: RunningRecipeServer,
  overrides: Partial<ClientConfig> = {},
  consoleLogAction?: ConsoleLogAction,
) {
  const telemetry = new FakeTelemetryApi();
  const prefs = new FakePrefsApi();
  const logged: string[] = [];
  /** What the run did, in order: `read <attribute>` as a getter runs, `log <message>` as a recipe's action does. */
  const sequence: string[] = [];
  const finalizations: FinalizeOptions[] = [];
  const warnings: string[] = [];
  const storage = new MemoryStorage();
  const eventLog = new EventLogStore(storage);
  const config: ClientConfig = {
    enabled: true,
    serverUrl: server.config.remoteSettingsUrl,
    recipeSigner: server.config.recipeSigner,
    collectionSigner: server.config.collectionSigner,
    rootHash: server.config.rootHash,
    runIntervalSeconds: 21600,
    fetchTimeoutMs: 30_000,
    apiUrl: server.config.legacyApiUrl,
    noticesUrl: server.config.noticesUrl,
    intakeUrl: server.config.intakeUrl,
    ...overrides,
  };
  const runner = new RecipeRunner({
    loadConfig: async () => config,
    checkSignature: createCachedVerifier(),
    filterPrefs: prefs,
    regExpMatch: nativeRegExpMatch,
    createFilterContext: (timer) => {
      const attributes = {
        version: "153.7.0",
        locale: "en-US",
        get slowAttribute() {
          sequence.push("read slowAttribute");
          return timer(() => new Promise((resolve) => setTimeout(() => resolve(true), SLOW_ATTRIBUTE_MS)));
        },
        get failingAttribute() {
          sequence.push("read failingAttribute");
          return timer(() => Promise.reject(new Error("the attribute read secret-input-value")));
        },
      };
      return staticFilterContext(attributes);
    },
    createActions: () => {
      const actions = new ActionsManager(
        new Map([
          [
            "console-log",
            consoleLogAction ??
              new ConsoleLogAction((message) => {
                logged.push(message);
                sequence.push(`log ${message}`);
              }),
          ],
        ]),
      );
      const finalize = actions.finalize.bind(actions);
      actions.finalize = (options) => {
        finalizations.push(options);
        return finalize(options);
      };
      return actions;
    },
    baseCapabilities: ["capabilities-v1"],
    ...runnerRecords(telemetry, eventLog, storage),
    log: {
      info: () => undefined,
      warn: (message) => warnings.push(message),
      error: (message) => warnings.push(message),
    },
  });
  return { runner, telemetry, prefs, logged, sequence, warnings, eventLog, finalizations };
}

async function publishConsoleLog(server: RunningRecipeServer, message: string, filter: string) {
  const recipe = server.store.create(
    { name: message, action: "console-log", arguments: { message }, filter_expression: filter, capabilities: [] },
    true,
  );
  await server.publish();
  return recipe;
}

describe("RecipeRunner against the local recipe server", () => {
  const servers = useTestServers();

  it("verifies and runs a matching console-log recipe, reporting success at every level", async () => {
    const server = await servers.start();
    const recipe = await publishConsoleLog(server, "hello from a recipe", "normandy.locale == 'en-US'");
    const client = clientFor(server);

    const report = await client.runner.run("test");

    expect(client.logged).toEqual(["hello from a recipe"]);
    expect(report.runnerStatus).toBe("success");
    expect(report.recipes).toMatchObject([{ id: recipe.id, suitability: "filter-match", status: "success" }]);
    expect(client.telemetry.uptake).toEqual([
      { source: `normandy/recipe/${recipe.id}`, status: "success" },
      { source: "normandy/action/ConsoleLogAction", status: "success" },
      { source: "normandy/runner", status: "success" },
    ]);
    // Normandy's recipe_freshness: the revision each recipe was last reported at.
    expect(client.telemetry.recipeFreshness).toEqual(new Map([[recipe.id, 1]]));
    const { events } = await client.eventLog.read();
    const uptakeEvents = events.filter(([, category]) => category === "uptake.remotecontent.result");
    expect(uptakeEvents.map((event) => event.slice(1))).toEqual(
      client.telemetry.uptake.map(({ source, status }) => [
        "uptake.remotecontent.result",
        "uptake",
        "normandy",
        status,
        { source },
      ]),
    );
  });

  it("keeps why an action failed in post-execution: in the run report and on the browser console", async () => {
    const server = await servers.start();
    await publishConsoleLog(server, "hello", "true");
    const client = clientFor(server, {}, new FailingAction("post"));

    const report = await client.runner.run("test");

    expect(report.actions.ConsoleLogAction).toBe("custom_2_error");
    expect(report.actionFailures).toEqual({
      ConsoleLogAction: { step: "post-execution", message: "unenrolling an unseen study failed" },
    });
    expect(client.warnings).toContain(
      "The action ConsoleLogAction failed in post-execution (custom_2_error): unenrolling an unseen study failed",
    );
  });

  it("reports a non-matching recipe as backoff and does not run its action", async () => {
    const server = await servers.start();
    const matching = await publishConsoleLog(server, "runs", "true");
    const other = await publishConsoleLog(server, "does not run", "normandy.locale == 'fr'");
    const client = clientFor(server);

    await client.runner.run("test");

    expect(client.logged).toEqual(["runs"]);
    expect(client.telemetry.statusesFor(`normandy/recipe/${matching.id}`)).toEqual(["success"]);
    expect(client.telemetry.statusesFor(`normandy/recipe/${other.id}`)).toEqual(["backoff"]);
    expect(client.telemetry.statusesFor("normandy/runner")).toEqual(["success"]);
  });

  it("reports a filter that cannot be evaluated as content_error", async () => {
    const server = await servers.start();
    const broken = await publishConsoleLog(server, "never", "normandy.locale ==");
    const client = clientFor(server);

    const report = await client.runner.run("test");

    expect(client.logged).toEqual([]);
    expect(report.recipes[0]).toMatchObject({ id: broken.id, suitability: "filter-error", status: "content_error" });
  });

  it("sends TARGETING_EXPRESSION_ERROR with the recipe id: MALFORMED_EXPRESSION or OTHER_ERROR, never the inputs", async () => {
    const server = await servers.start();
    const malformed = await publishConsoleLog(server, "malformed", "normandy.locale ==");
    const throwing = await publishConsoleLog(server, "throws", "normandy.failingAttribute == 'secret-input-value'");
    await publishConsoleLog(server, "fine", "normandy.locale == 'en-US'");
    const client = clientFor(server);

    await client.runner.run("test");

    const undesired = client.telemetry.clientPings.filter((ping) => ping.type === "undesired");
    expect(undesired).toEqual([
      {
        type: "undesired",
        event: "TARGETING_EXPRESSION_ERROR",
        value: "MALFORMED_EXPRESSION",
        fields: { recipe_id: String(malformed.id) },
      },
      {
        type: "undesired",
        event: "TARGETING_EXPRESSION_ERROR",
        value: "OTHER_ERROR",
        fields: { recipe_id: String(throwing.id) },
      },
    ]);
    const { events } = await client.eventLog.read();
    expect(JSON.stringify(events)).not.toMatch(/secret-input-value|normandy\.locale/);
    expect(
      events.filter(([, category]) => category === "recipe_client.undesired").map((event) => event.slice(1)),
    ).toEqual([
      [
        "recipe_client.undesired",
        "undesired",
        "TARGETING_EXPRESSION_ERROR",
        "MALFORMED_EXPRESSION",
        { recipe_id: String(malformed.id) },
      ],
      [
        "recipe_client.undesired",
        "undesired",
        "TARGETING_EXPRESSION_ERROR",
        "OTHER_ERROR",
        { recipe_id: String(throwing.id) },
      ],
    ]);
  });

  it("acts on nothing when the collection is not signed under the pinned root", async () => {
    const server = await servers.start();
    await publishConsoleLog(server, "must not run", "true");
    const client = clientFor(server, { rootHash: "00:".repeat(31) + "00" });

    const report = await client.runner.run("test");

    expect(client.logged).toEqual([]);
    expect(report.runnerStatus).toBe("sign_error");
    expect(report.error).toMatch(/collection signature does not verify \(wrong-root/);
    expect(client.telemetry.uptake).toEqual([{ source: "normandy/runner", status: "sign_error" }]);
  });

  it("reports network_error when the server is unreachable, and runs once it is back", async () => {
    const dataDir = await servers.newDataDir();
    const server = await servers.start({ dataDir });
    await publishConsoleLog(server, "after the outage", "true");
    const port = server.port;
    const client = clientFor(server);
    await server.close();

    const failed = await client.runner.run("test");
    expect(failed.runnerStatus).toBe("network_error");
    expect(client.logged).toEqual([]);

    await servers.start({ dataDir, port });
    const recovered = await client.runner.run("test");
    expect(recovered.runnerStatus).toBe("success");
    expect(client.logged).toEqual(["after the outage"]);
  });

  it("does nothing without a configured root hash, and says why", async () => {
    const server = await servers.start();
    await publishConsoleLog(server, "must not run", "true");
    const client = clientFor(server, { rootHash: "" });

    const report = await client.runner.run("test");

    expect(report.runnerStatus).toBe("not-run");
    expect(report.error).toMatch(/root_hash is empty/);
    expect(client.logged).toEqual([]);
    expect(client.telemetry.uptake).toEqual([]);
    expect(client.telemetry.clientPings).toEqual([]);
  });

  it("never overlaps runs: a trigger during a run gets one more run after it", async () => {
    const server = await servers.start();
    await publishConsoleLog(server, "counted", "true");
    const client = clientFor(server);

    const [first, second, third] = await Promise.all([
      client.runner.run("a"),
      client.runner.run("b"),
      client.runner.run("c"),
    ]);

    expect(first.trigger).toBe("a");
    expect(second).toBe(third);
    expect(client.logged).toEqual(["counted", "counted"]);
  });

  it("work outside runs (QA's run here) never overlaps one: a run triggered meanwhile waits for it, and it for a run", async () => {
    const server = await servers.start();
    await publishConsoleLog(server, "counted", "true");
    const client = clientFor(server);
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = client.runner.exclusively(async () => {
      client.sequence.push("work start");
      await gate;
      client.sequence.push("work end");
    });
    const run = client.runner.run("during-work");
    // A run's first step is queued as a microtask; once a macrotask has passed, it has started unless it waits.
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.sequence).toEqual(["work start"]);
    release();
    await held;
    await run;
    expect(client.sequence).toEqual(["work start", "work end", "log counted"]);

    // The other way round: work asked for during a run starts after it.
    // (A manual run starts at once; others first read the server's backoff.)
    const second = client.runner.run(MANUAL_TRIGGER);
    await client.runner.exclusively(async () => void client.sequence.push("second work"));
    await second;
    expect(client.sequence.slice(3)).toEqual(["log counted", "second work"]);
  });

  it("verifies the server's preview collection against the preview signers: a tampered draft is refused, a published collection is not a preview", async () => {
    const server = await servers.start();
    const draftOf = (message: string) =>
      server.store.create(
        { name: message, action: "console-log", arguments: { message }, filter_expression: "true", capabilities: [] },
        false,
      );
    const draft = draftOf("draft");
    const other = draftOf("other");
    for (const { id } of [draft, other])
      expect((await fetch(`${server.url}/admin/api/recipes/${id}/preview`, { method: "POST" })).status).toBe(200);
    const client = clientFor(server);
    expect((await client.runner.verifiedPreviewRecipes()).verified.map(({ id }) => id)).toEqual([draft.id, other.id]);

    server.faults.set({ kind: "tamper-recipe", recipeId: draft.id });
    const tampered = await client.runner.verifiedPreviewRecipes();
    expect(tampered.verified.map(({ id }) => id)).toEqual([other.id]);
    expect(tampered.refused).toEqual([{ id: draft.id, name: "draft", reason: expect.stringMatching(/signature/) }]);

    // The collection signed by the published collection's signer (a fault re-signing with the wrong chain) fails whole.
    server.faults.set({ kind: "wrong-x5u" });
    await expect(client.runner.verifiedPreviewRecipes()).rejects.toThrow(/collection/);
    // Nothing of it was applied by runs: the run's own collection has none of the previews.
    server.faults.clear();
    expect((await client.runner.run("normal")).recipes).toEqual([]);
  });

  it("skips a recipe tampered after signing (sign_error) while the others still run", async () => {
    const server = await servers.start();
    const tampered = await publishConsoleLog(server, "tampered", "true");
    await publishConsoleLog(server, "intact", "true");
    server.faults.set({ kind: "tamper-recipe", recipeId: tampered.id });
    const client = clientFor(server);

    const report = await client.runner.run("test");

    expect(report.runnerStatus).toBe("success");
    expect(client.logged).toEqual(["intact"]);
    expect(report.recipes[0]).toMatchObject({ id: tampered.id, suitability: "signature-error", status: "sign_error" });
    expect(report.recipes[0]!.detail).toMatch(/recipe \d+ signature does not verify \(signature-mismatch/);
  });

  it("verifiedRecipes (QA's Show now): none before a collection verified, then only recipes whose own signature verifies", async () => {
    const server = await servers.start();
    const tampered = await publishConsoleLog(server, "tampered", "true");
    const intact = await publishConsoleLog(server, "intact", "false");
    server.faults.set({ kind: "tamper-recipe", recipeId: tampered.id });
    const client = clientFor(server);
    expect(await client.runner.verifiedRecipes()).toEqual([]);

    await client.runner.run("test");

    expect((await client.runner.verifiedRecipes()).map(({ id, name }) => [id, name])).toEqual([[intact.id, "intact"]]);
  });

  it("starts computing the attributes the verified filters read before the first filter, and none for unverified ones", async () => {
    const server = await servers.start();
    await publishConsoleLog(server, "first", "true");
    await publishConsoleLog(server, "second", "normandy.slowAttribute");
    const tampered = await publishConsoleLog(server, "tampered", "normandy.failingAttribute || true");
    server.faults.set({ kind: "tamper-recipe", recipeId: tampered.id });
    const client = clientFor(server);

    const report = await client.runner.run("test");

    expect(report.recipes.map(({ suitability }) => suitability)).toEqual([
      "filter-match",
      "filter-match",
      "signature-error",
    ]);
    // Without prefetching, the slow attribute would only be read once the first recipe's action has run.
    expect(client.sequence[0]).toBe("read slowAttribute");
    expect(client.sequence.filter((step) => step.startsWith("log"))).toEqual(["log first", "log second"]);
    expect(client.sequence).not.toContain("read failingAttribute");
  });

  it("refuses a replayed older changeset, though its signatures are valid", async () => {
    const server = await servers.start();
    await publishConsoleLog(server, "first", "true");
    const before = await server.publish();
    await publishConsoleLog(server, "second", "true");
    const client = clientFor(server);
    await client.runner.run("test");
    client.logged.length = 0;

    server.faults.set({ kind: "replay", timestamp: before.timestamp });
    const report = await client.runner.run("test");

    expect(report.runnerStatus).toBe("server_error");
    expect(report.error).toMatch(/replayed changeset/);
    expect(client.logged).toEqual([]);
  });

  it.each([
    [{ kind: "http-status", status: 503, retryAfterSeconds: 30 } as const, "server_error", /HTTP 503/],
    [{ kind: "truncated-body" } as const, "server_error", /malformed JSON/],
    [{ kind: "reset-mid-body" } as const, "network_error", /changeset/],
  ])("a server fault %o ends the run with %s and acts on nothing", async (fault, status, why) => {
    const server = await servers.start();
    await publishConsoleLog(server, "must not run", "true");
    server.faults.set(fault);
    const client = clientFor(server);

    const report = await client.runner.run("test");

    expect(report.runnerStatus).toBe(status);
    expect(report.error).toMatch(why);
    expect(client.logged).toEqual([]);
    server.faults.clear();
    // Manual: "Run now" does not wait out the 503's Retry-After, which the other triggers would.
    expect((await client.runner.run(MANUAL_TRIGGER)).runnerStatus).toBe("success");
  });

  it("filters read prefs through the prefs API (preferenceValue and friends)", async () => {
    const server = await servers.start();
    await publishConsoleLog(
      server,
      "pref matches",
      `"test.flavor"|preferenceValue == "mint" && "test.flavor"|preferenceIsUserSet`,
    );
    await publishConsoleLog(server, "pref missing", `"test.absent"|preferenceExists`);
    const client = clientFor(server);
    await client.prefs.setPref("test.flavor", "mint", "user");

    const report = await client.runner.run("test");

    expect(client.logged).toEqual(["pref matches"]);
    expect(report.recipes.map((recipe) => recipe.suitability)).toEqual(["filter-match", "filter-mismatch"]);
  });

  it("reports where the run's time went, per stage", async () => {
    const server = await servers.start();
    await publishConsoleLog(server, "timed", "true");
    const client = clientFor(server);

    const report = await client.runner.run("test");

    expect(Object.keys(report.stages).sort()).toEqual(["actions", "context", "fetch", "filter", "report", "verify"]);
    const staged = Object.values(report.stages).reduce((sum, ms) => sum + ms, 0);
    expect(staged).toBeLessThanOrEqual(report.durationMs);
    expect(report.stages.verify).toBeGreaterThan(0);
  });

  it("times the client context on its own: an attribute a filter reads counts for context, not filter", async () => {
    const server = await servers.start();
    await publishConsoleLog(server, "slow", "normandy.slowAttribute");
    const client = clientFor(server);

    const report = await client.runner.run("test");

    expect(client.logged).toEqual(["slow"]);
    expect(report.stages.context).toBeGreaterThanOrEqual(SLOW_ATTRIBUTE_MS - 1);
    expect(report.stages.filter).toBeLessThan(SLOW_ATTRIBUTE_MS);
    expect(Object.values(report.stages).reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(report.durationMs);
  });

  it("sends one performance ping per stage and one for the run's total, in ms, with the recipe count", async () => {
    const server = await servers.start();
    await publishConsoleLog(server, "one", "true");
    await publishConsoleLog(server, "two", "normandy.slowAttribute");
    const client = clientFor(server);

    const report = await client.runner.run("test");

    const fields = { recipe_count: "2" };
    const performancePings = client.telemetry.clientPings.filter(({ type }) => type === "performance");
    expect(performancePings).toEqual([
      { type: "performance", event: "RUN_TOTAL", value: String(report.durationMs), fields },
      { type: "performance", event: "RUN_FETCH", value: String(report.stages.fetch), fields },
      { type: "performance", event: "RUN_VERIFY", value: String(report.stages.verify), fields },
      { type: "performance", event: "RUN_CONTEXT", value: String(report.stages.context), fields },
      { type: "performance", event: "RUN_FILTER", value: String(report.stages.filter), fields },
      { type: "performance", event: "RUN_ACTIONS", value: String(report.stages.actions), fields },
      { type: "performance", event: "RUN_REPORT", value: String(report.stages.report), fields },
    ]);
    const { events } = await client.eventLog.read();
    const performance = events.filter(([, category]) => category === "recipe_client.performance");
    expect(performance.map(([, , method, object, value, extra]) => [method, object, value, extra])).toEqual(
      performancePings.map(({ type, event, value, fields }) => [type, event, value, fields]),
    );
    // One recording: every ping of the run carries the same timestamp.
    expect(new Set(performance.map(([timestamp]) => timestamp)).size).toBe(1);
  });

  it("sends the run's result and each recipe's status and suitability, never the reason text, with the run's timestamp", async () => {
    const server = await servers.start();
    const matching = await publishConsoleLog(server, "matches", "true");
    const other = await publishConsoleLog(server, "does not match", "false");
    const client = clientFor(server);

    await client.runner.run("test");

    expect(client.telemetry.clientPings.filter(({ type }) => type === "run")).toEqual([
      { type: "run", event: "RUN_RESULT", value: "success", fields: { recipe_count: "2" } },
      {
        type: "run",
        event: "RECIPE_RESULT",
        value: "success",
        fields: { recipe_id: String(matching.id), suitability: "filter-match" },
      },
      // Normandy's uptake for a recipe that did not match is `backoff`.
      {
        type: "run",
        event: "RECIPE_RESULT",
        value: "backoff",
        fields: { recipe_id: String(other.id), suitability: "filter-mismatch" },
      },
    ]);
    const { events } = await client.eventLog.read();
    const runEvents = events.filter(
      ([, category]) => category === "recipe_client.run" || category === "recipe_client.performance",
    );
    expect(runEvents).toHaveLength(7 + 3);
    expect(new Set(runEvents.map(([timestamp]) => timestamp)).size).toBe(1);
  });

  it("finalizes no action when the collection cannot be trusted, so no enrollment ends on untrusted data", async () => {
    const server = await servers.start();
    await publishConsoleLog(server, "must not run", "true");
    const trusted = clientFor(server);
    await trusted.runner.run("test");
    expect(trusted.finalizations).toEqual([{ noRecipes: false }]);

    const untrusting = clientFor(server, { rootHash: "00:".repeat(31) + "00" });
    expect((await untrusting.runner.run("test")).runnerStatus).toBe("sign_error");
    expect(untrusting.finalizations).toEqual([]);
  });
});
