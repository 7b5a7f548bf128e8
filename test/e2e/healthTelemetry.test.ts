/**
 * Client health telemetry end to end in a real Firefox ESR, with telemetry upload enabled: a start sends one
 * health ping; a run sends one performance ping per stage (and the run's total), whose timings also reach
 * Glean's timing distributions; a filter that cannot be evaluated sends TARGETING_EXPRESSION_ERROR; a start-up
 * step that fails sends ADDON_INIT_FAILED. Each is read back from the add-on's event log (through its QA
 * console), from the local server's intake and from Glean (in the chrome context).
 *
 * The start-up failure is caused the way a real one would be, with no switch in the product: a value in the
 * preference-rollout store is corrupted in the profile (a pref value of 1.5, which no pref can hold), and
 * Firefox restarts. The store reads the record (it is well formed), and `PreferenceRollouts.init()` fails when
 * the prefs experiment API refuses to store that value as the rollout's start-up pref.
 *
 * The QA console shows each event at its clock time beside its ms since start; across a restart (the
 * timestamps start again at 0), the earlier session's events keep theirs.
 */
import { describe, expect, it } from "vitest";
import type { RecipeFields } from "../../server/recipeStore.js";
import type { EventRecord } from "../../src/core/eventFormat.js";
import { RUN_STAGES } from "../../src/core/index.js";
import { type JsonValue, waitForValue } from "./harness/index.js";
import { ADDON_ID } from "./support/addonUnderTest.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";

const CONSOLE_PAGE = "pages/console.html";
const UPLOAD_ENABLED_PREF = "datareporting.healthreport.uploadEnabled";
const PERFORMANCE_EVENTS = ["RUN_TOTAL", ...RUN_STAGES.map((stage) => `RUN_${stage.toUpperCase()}`)];
const GLEAN_TIMING_METRICS = PERFORMANCE_EVENTS.map((event) =>
  event.toLowerCase().replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()),
);

interface GleanTiming {
  count: number;
  sum: number;
}

interface GleanPingRecord {
  extra: Record<string, string>;
}

/** A row of the QA console's event table: its cells' text, and its clock time as the `<time>` element gives it. */
interface ConsoleRow {
  cells: string[];
  clockTime: string | null;
}

const SCREENSHOTS = "test-results/screenshots";
/** "Dec 7, 2026, 9:04:13 PM (12,345 ms after start)" in en-US; ICU puts a narrow no-break space before PM. */
const SHOWN_TIME = /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2}\s[AP]M \(([\d,]+) ms after start\)$/;

describe("client health telemetry, end to end", () => {
  const running = useServerAndAddon("health-telemetry", {
    prefs: { [UPLOAD_ENABLED_PREF]: true, "intl.locale.requested": "en-US" },
    // Installed permanently, so it survives the restart of the start-up failure test.
    installPermanently: true,
    waitForFirstRun: true,
  });

  const inAddonPage = <T>(body: string, ...args: JsonValue[]) =>
    running.addon.firefox.evalInExtensionPage<T>(ADDON_ID, CONSOLE_PAGE, body, ...args);
  const inChrome = <T>(body: string, ...args: JsonValue[]) => running.addon.firefox.evalInChrome<T>(body, ...args);
  const clientId = () =>
    inChrome<string>(`return Services.prefs.getStringPref("extensions.recipeclient.client_id", "");`);

  /** The pings of `type` in the add-on's event log, oldest first. */
  const logged = async (type: string): Promise<EventRecord[]> =>
    (await running.addon.state()).events.filter(([, category]) => category === `recipe_client.${type}`);
  /** The pings of `type` the intake has received, oldest first, as event records with their session. */
  const received = async (type: string) =>
    running.server.intake
      .events(await clientId(), { method: type })
      .reverse()
      .map((event) => ({
        record: [event.timestamp, event.category, event.method, event.object, event.value, event.extra] as EventRecord,
        sessionId: event.sessionId,
      }));
  /** Waits until the intake holds `count` pings of `type`, and returns them. */
  const receivedAtLeast = async (type: string, count: number) => {
    await expect
      .poll(async () => (await received(type)).length, { timeout: 10_000, interval: 250 })
      .toBeGreaterThanOrEqual(count);
    return received(type);
  };
  /** The Glean event of ping `type` (`recipe_client.<type>`), each record's extras. */
  const gleanPings = async (type: string) =>
    (
      await inChrome<GleanPingRecord[] | null>(`return Glean.recipeClient[args[0]]?.testGetValue() ?? null;`, type)
    )?.map((record) => record.extra) ?? [];
  const gleanTimings = () =>
    inChrome<Record<string, GleanTiming | null>>(
      `return Object.fromEntries(args[0].map((name) => [name, Glean.recipeClient[name]?.testGetValue() ?? null]));`,
      GLEAN_TIMING_METRICS,
    );
  /** The QA console's rows of `category`, oldest first, once it shows at least `count` of them (it follows the log live). */
  const consoleRows = async (category: string, count = 1): Promise<ConsoleRow[]> => {
    await inAddonPage(`return null;`); // opens the QA console
    return waitForValue(
      `${count} ${category} rows in the QA console's event table`,
      async () => {
        const rows = await running.addon.firefox.evalInContent<ConsoleRow[]>(
          `return [...document.querySelectorAll("#events tr")].map((row) => ({
             cells: [...row.cells].map((cell) => cell.textContent),
             clockTime: row.cells[0].querySelector("time")?.dateTime ?? null,
           }));`,
        );
        const shown = rows.filter(({ cells }) => cells[1] === category).reverse();
        return shown.length >= count && shown;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  };
  /** An event record as a ping: `{event, value, ...fields}`. */
  const asPing = ([, , , event, value, extra]: EventRecord) => ({ event, value, ...extra });

  const publish = async (fields: Partial<RecipeFields> & { name: string }) => {
    const recipe = running.server.store.create(
      {
        action: "console-log",
        arguments: { message: fields.name },
        filter_expression: "true",
        capabilities: [],
        ...fields,
      },
      true,
    );
    await running.server.publish();
    return recipe.id;
  };
  const disableAll = async () => {
    for (const recipe of running.server.store.list()) running.server.store.setEnabled(recipe.id, false);
    await running.server.publish();
  };

  it("a start sends one health ping: in the log, the QA console, the intake and Glean", async () => {
    const channel = await inChrome<string>(
      `return ChromeUtils.importESModule("resource://gre/modules/UpdateUtils.sys.mjs").UpdateUtils.getUpdateChannel(false);`,
    );
    const expected = {
      event: "RECIPE_CLIENT_STATUS",
      value: "ENABLED",
      client_id: await clientId(),
      locale: "en-US",
      version: "0.1.0",
      release_channel: ["release", "esr", "beta", "aurora", "nightly", "default"].includes(channel) ? channel : "other",
    };
    expect(expected.client_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const health = await logged("health");
    expect(health.map(asPing)).toEqual([expected]);
    expect(health[0]!.slice(1, 3)).toEqual(["recipe_client.health", "health"]);
    expect((await receivedAtLeast("health", 1)).map(({ record }) => record)).toEqual(health);
    expect(await gleanPings("health")).toEqual([expected]);

    const shown = await consoleRows("recipe_client.health");
    expect(shown.map(({ cells }) => cells.slice(2, 5))).toEqual([["health", "RECIPE_CLIENT_STATUS", "ENABLED"]]);
    // Its clock time: now, give or take a minute, and exactly the process start Firefox itself reports plus the
    // event's ms since start (less than a second apart: the add-on computes the start from Date.now()).
    const clockTime = Date.parse(shown[0]!.clockTime!);
    expect(Math.abs(clockTime - Date.now())).toBeLessThan(60_000);
    const processStart = await inChrome<number>(`return Services.startup.getStartupInfo().process.getTime();`);
    expect(Math.abs(clockTime - (processStart + health[0]![0]))).toBeLessThan(1_000);
    const [, sinceStart] = SHOWN_TIME.exec(shown[0]!.cells[0]!) ?? [];
    expect(sinceStart?.replaceAll(",", "")).toBe(String(health[0]![0]));
  });

  it("a run sends one performance ping per stage, in ms, that add up; the timings reach Glean", async () => {
    // Reads client attributes, so the client-context stage has work to time.
    await publish({
      name: "health: timed",
      filter_expression: "normandy.channel != 'no-such-channel' && normandy.locale != 'xx'",
    });
    const loggedBefore = (await logged("performance")).length;
    const gleanBefore = await gleanTimings();

    const report = await running.addon.runNow();

    const pings = (await logged("performance")).slice(loggedBefore);
    expect(pings.map(([, , , event]) => event)).toEqual(PERFORMANCE_EVENTS);
    expect(new Set(pings.map(([timestamp]) => timestamp)).size).toBe(1);
    const ms = Object.fromEntries(
      pings.map(([, , , event, value, extra]) => {
        expect(extra).toEqual({ recipe_count: String(report.recipes.length) });
        return [event, Number(value)];
      }),
    );
    expect(ms["RUN_TOTAL"]).toBe(report.durationMs);
    for (const stage of RUN_STAGES) expect(ms[`RUN_${stage.toUpperCase()}`]).toBe(report.stages[stage]);
    const stagesSum = RUN_STAGES.reduce((sum, stage) => sum + report.stages[stage], 0);
    expect(ms["RUN_TOTAL"]).toBeGreaterThanOrEqual(stagesSum);
    expect(ms["RUN_TOTAL"]).toBeGreaterThan(0);
    expect(ms["RUN_TOTAL"]).toBeLessThan(30_000);
    expect(report.recipes.length).toBeGreaterThanOrEqual(1);

    const all = await receivedAtLeast("performance", loggedBefore + pings.length);
    expect(all.slice(loggedBefore).map(({ record }) => record)).toEqual(pings);

    // Each timing distribution holds one more sample, of the ping's value (kept in nanoseconds; Glean counts 0 as 1 ns).
    const gleanAfter = await gleanTimings();
    for (const [index, event] of PERFORMANCE_EVENTS.entries()) {
      const metric = GLEAN_TIMING_METRICS[index]!;
      const before = gleanBefore[metric] ?? { count: 0, sum: 0 };
      expect(gleanAfter[metric]!.count, metric).toBe(before.count + 1);
      expect(Math.round((gleanAfter[metric]!.sum - before.sum) / 1_000_000), metric).toBe(ms[event]);
    }
    expect((await gleanPings("performance")).slice(-PERFORMANCE_EVENTS.length)).toEqual(pings.map(asPing));
    await disableAll();
  });

  it("a recipe with a malformed filter sends one TARGETING_EXPRESSION_ERROR / MALFORMED_EXPRESSION with its id, nothing of the filter", async () => {
    const malformed = await publish({ name: "health: malformed filter", filter_expression: "normandy.locale ==" });
    const throwing = await publish({
      name: "health: throwing filter",
      filter_expression: "normandy.locale|noSuchTransform",
    });
    const loggedBefore = (await logged("undesired")).length;

    const report = await running.addon.runNow();

    expect(report.recipes).toContainEqual(expect.objectContaining({ id: malformed, suitability: "filter-error" }));
    const pings = (await logged("undesired")).slice(loggedBefore);
    expect(pings.map(asPing)).toEqual([
      { event: "TARGETING_EXPRESSION_ERROR", value: "MALFORMED_EXPRESSION", recipe_id: String(malformed) },
      { event: "TARGETING_EXPRESSION_ERROR", value: "OTHER_ERROR", recipe_id: String(throwing) },
    ]);
    expect(JSON.stringify(pings)).not.toMatch(/normandy|locale|en-US|noSuchTransform/);
    const all = await receivedAtLeast("undesired", loggedBefore + 2);
    expect(all.slice(loggedBefore).map(({ record }) => record)).toEqual(pings);
    expect((await gleanPings("undesired")).slice(-2)).toEqual(pings.map(asPing));
    await disableAll();
  });

  it("a start-up step that fails (a corrupted rollout store) sends ADDON_INIT_FAILED naming it; the next start sends its own health ping", async () => {
    const corrupted = {
      slug: "e2e-corrupted",
      state: "active",
      preferences: [{ preferenceName: "e2e.health.rollout", value: 1.5, previousValue: null }],
      enrollmentId: "0c6b0e9e-7a5d-4a57-9f3e-2b1c1f0e6d4a",
    };
    await inAddonPage(
      `await browser.storage.local.set({ preferenceRollouts: { rollouts: { [args[0].slug]: args[0] } } });`,
      corrupted,
    );
    const runsBefore = (await running.addon.state()).runs.length;

    await running.addon.firefox.restart();
    await running.addon.waitForRuns(runsBefore + 1);

    const undesired = (await logged("undesired")).map(asPing);
    expect(undesired.filter(({ event }) => event === "ADDON_INIT_FAILED")).toEqual([
      { event: "ADDON_INIT_FAILED", value: "PREFERENCE_ROLLOUTS" },
    ]);
    expect(await gleanPings("undesired")).toEqual([{ event: "ADDON_INIT_FAILED", value: "PREFERENCE_ROLLOUTS" }]);
    expect((await running.addon.consoleMessages()).map((message) => message.args.join(" "))).toContainEqual(
      expect.stringMatching(
        /Start-up step PREFERENCE_ROLLOUTS failed: .*e2e\.health\.rollout.* 1\.5: number prefs must be 32-bit integers/,
      ),
    );
    // The steps after it still ran, and so did the run.
    expect((await running.addon.state()).runs[0]!.runnerStatus).toBe("success");

    const initFailures = (await receivedAtLeast("undesired", undesired.length)).filter(
      ({ record }) => record[3] === "ADDON_INIT_FAILED",
    );
    expect(initFailures.map(({ record }) => asPing(record))).toEqual([
      { event: "ADDON_INIT_FAILED", value: "PREFERENCE_ROLLOUTS" },
    ]);
    // One health ping per start: the intake tells the starts apart by their session ids.
    const health = await receivedAtLeast("health", 2);
    expect(health).toHaveLength(2);
    expect(new Set(health.map(({ sessionId }) => sessionId)).size).toBe(2);
    expect(initFailures[0]!.sessionId).toBe(health[1]!.sessionId);
    expect(await gleanPings("health")).toHaveLength(1);
  });

  it("the QA console shows each event at its clock time: an add-on reload stays in its session; after a restart, the earlier sessions' events keep theirs", async () => {
    const health = "recipe_client.health";
    const before = await consoleRows(health);
    expect(before.every(({ clockTime }) => clockTime !== null)).toBe(true);
    const { eventSessions } = await running.addon.state();

    // A reload (an update would do the same) starts the background page again in the same Firefox process: it
    // computes the same process start, give or take the call's latency, and its events stay in this session.
    const startedBefore = (await running.addon.studies()).backgroundStartedAt;
    await inChrome(
      `const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
       await (await AddonManager.getAddonByID(args[0])).reload();`,
      ADDON_ID,
    );
    await waitForValue(
      "the background page after the reload",
      async () => (await running.addon.studies()).backgroundStartedAt > startedBefore,
    );
    const reloaded = await consoleRows(health, before.length + 1);
    expect((await running.addon.state()).eventSessions).toEqual(eventSessions);
    expect(reloaded.slice(0, -1)).toEqual(before);
    expect(Math.abs(Date.parse(reloaded.at(-1)!.clockTime!) - Date.now())).toBeLessThan(60_000);

    const runsBefore = (await running.addon.state()).runs.length;
    const restartedAt = Date.now();
    await running.addon.firefox.restart();
    await running.addon.waitForRuns(runsBefore + 1);

    // The new start's health ping: its timestamp counts from the new process start, its clock time is now.
    const after = await consoleRows(health, reloaded.length + 1);
    expect(after).toHaveLength(reloaded.length + 1);
    expect((await running.addon.state()).eventSessions).toHaveLength(eventSessions.length + 1);
    const newest = after.at(-1)!;
    expect(newest.cells[0]).toMatch(SHOWN_TIME);
    expect(Date.parse(newest.clockTime!)).toBeGreaterThan(restartedAt);
    expect(Math.abs(Date.parse(newest.clockTime!) - Date.now())).toBeLessThan(60_000);
    // The earlier sessions' rows are shown exactly as before, at clock times before the restart (not moved to
    // the new process start, which their ms since start would be added to if the log forgot their sessions).
    expect(after.slice(0, -1)).toEqual(reloaded);
    for (const { clockTime } of reloaded) expect(Date.parse(clockTime!)).toBeLessThan(restartedAt);

    await running.addon.firefox.evalInContent(`document.getElementById("events-heading").scrollIntoView();`);
    await running.addon.firefox.screenshot(`${SCREENSHOTS}/console-event-log.png`, { full: false });
  });
});
