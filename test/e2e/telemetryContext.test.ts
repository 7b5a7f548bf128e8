/**
 * `normandy.telemetry`, `normandy.liveTelemetry` and `normandy.attribution` in a real Firefox ESR, against
 * Firefox's own Normandy: in the same profile and at the same moment, each recipe's filter is also evaluated
 * by Firefox's FilterExpressions over Firefox's own `ClientEnvironment`, and our run must decide what Normandy
 * would have (match, mismatch or filter error). The profile is made old (times.json says June 2018); its first
 * session has no archived main ping yet, the next one has the first session's shutdown ping.
 */
import { describe, expect, it } from "vitest";
import type { RunReport } from "../../src/core/index.js";
import { ADDON_ID } from "./support/addonUnderTest.js";
import { FILTER_EXPRESSIONS_MODULE } from "./support/filterEvaluatorsInChrome.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";

const CLIENT_ENVIRONMENT_MODULE = "resource://normandy/lib/ClientEnvironment.sys.mjs";
const PROFILE_CREATED = Date.UTC(2018, 5, 1);
const PROFILE_CREATION_DAY = Math.floor(PROFILE_CREATED / 86_400_000);
const BLOCKLIST_PREF = "extensions.blocklist.enabled";

/** Recipes compared with Normandy, by name. */
const COMPARED: Readonly<Record<string, string>> = {
  "profile-before-2020": `(normandy.telemetry.main.environment.profile.creationDate * 86400000)|date < "2020-01-01"|date`,
  "profile-before-2018": `(normandy.telemetry.main.environment.profile.creationDate * 86400000)|date < "2018-01-01"|date`,
  // Firefox updates only `settings.userPrefs` (its watched prefs' user values) live, not `settings.blocklistEnabled`.
  "blocklist-off": `normandy.liveTelemetry.main.environment.settings.userPrefs["${BLOCKLIST_PREF}"] == false`,
  "live-profile-before-2020": `(env.liveTelemetry.main.environment.profile.creationDate * 86400000)|date < "2020-01-01"|date`,
  "live-event-ping": `normandy.liveTelemetry.event.payload != null`,
  "live-payload": `normandy.liveTelemetry.main.payload.info.reason == "gather-payload" && normandy.liveTelemetry.main.type == "main"`,
};
/** Where we deliberately differ: Normandy's attribution is null on Linux, ours an empty object. */
const UNATTRIBUTED = `normandy.attribution|keys|length == 0 && normandy.attribution.source == null`;

type Suitability = "filter-match" | "filter-mismatch" | "filter-error";

describe("telemetry, liveTelemetry and attribution against Firefox's own ClientEnvironment", () => {
  const ids: Record<string, number> = {};
  const running = useServerAndAddon("telemetry-context", {
    installPermanently: true,
    waitForFirstRun: true,
    profileFiles: { "times.json": JSON.stringify({ created: PROFILE_CREATED, firstUse: PROFILE_CREATED }) },
    prepareServer: async (server) => {
      for (const [name, filter] of Object.entries({ ...COMPARED, unattributed: UNATTRIBUTED })) {
        ids[name] = server.store.create(
          { name, action: "console-log", arguments: { message: name }, filter_expression: filter, capabilities: [] },
          true,
        ).id;
      }
      await server.publish();
    },
  });

  const firefox = () => running.addon.firefox;

  /** What Firefox's Normandy would decide for each compared recipe now (its RecipeRunner's rule: truthy matches). */
  const normandySuitabilities = () =>
    firefox().evalInChrome<Record<string, Suitability>>(
      `const { ClientEnvironment } = ChromeUtils.importESModule(args[0]);
       const { FilterExpressions } = ChromeUtils.importESModule(args[1]);
       const context = { normandy: ClientEnvironment, env: ClientEnvironment };
       const result = {};
       for (const [name, filter] of Object.entries(args[2])) {
         try {
           result[name] = (await FilterExpressions.eval(filter, context)) ? "filter-match" : "filter-mismatch";
         } catch {
           result[name] = "filter-error";
         }
       }
       return result;`,
      CLIENT_ENVIRONMENT_MODULE,
      FILTER_EXPRESSIONS_MODULE,
      { ...COMPARED },
    );

  const ourSuitabilities = (run: RunReport) =>
    Object.fromEntries(
      Object.keys(COMPARED).map((name) => [name, run.recipes.find((recipe) => recipe.id === ids[name])?.suitability]),
    );

  /** A run of ours and Normandy's verdicts around it; they must agree (the test also says what both should be). */
  const compareWithNormandy = async (run?: RunReport) => {
    const before = await normandySuitabilities();
    const ours = ourSuitabilities(run ?? (await running.addon.runNow()));
    expect(await normandySuitabilities()).toEqual(before); // nothing changed in Firefox during our run
    expect(ours).toEqual(before);
    return ours;
  };

  /** An expression evaluated by our filter playground (what the QA console shows). */
  const playground = async (expression: string) => {
    // The explanation (checked elsewhere) says the same; compared here: the value and whether it matches.
    const { explanation: _explanation, ...evaluation } = await firefox().evalInExtensionPage<{
      ok: boolean;
      value?: unknown;
      error?: string;
      explanation?: unknown;
    }>(
      ADDON_ID,
      "pages/console.html",
      `return browser.runtime.sendMessage({ type: "evaluate-filter", expression: args[0] });`,
      expression,
    );
    return evaluation;
  };

  const normandyValue = (expression: string) =>
    firefox().evalInChrome<unknown>(
      `const { ClientEnvironment } = ChromeUtils.importESModule(args[0]);
       const { FilterExpressions } = ChromeUtils.importESModule(args[1]);
       return (await FilterExpressions.eval(args[2], { normandy: ClientEnvironment })) ?? null;`,
      CLIENT_ENVIRONMENT_MODULE,
      FILTER_EXPRESSIONS_MODULE,
      expression,
    );

  it("first session: no archived main ping yet, so no profile-age recipe matches; liveTelemetry has the profile's age", async () => {
    expect(await normandyValue("normandy.telemetry|keys")).toEqual([]);
    const [firstRun] = await running.addon.waitForRuns(1);
    expect(await compareWithNormandy(firstRun)).toEqual({
      "profile-before-2020": "filter-mismatch",
      "profile-before-2018": "filter-mismatch",
      "blocklist-off": "filter-mismatch",
      "live-profile-before-2020": "filter-match",
      "live-event-ping": "filter-error",
      "live-payload": "filter-match",
    });
    expect(firstRun!.recipes.find((recipe) => recipe.id === ids.unattributed)?.suitability).toBe("filter-match");
  });

  it("after a restart: the first session's shutdown main ping is archived, and the profile-age recipe matches", async () => {
    await firefox().restart();
    await running.addon.waitForRuns(1);
    const creationDate = "normandy.telemetry.main.environment.profile.creationDate";
    expect(await normandyValue(creationDate)).toBe(PROFILE_CREATION_DAY);
    expect(await playground(creationDate)).toEqual({ ok: true, value: PROFILE_CREATION_DAY, matches: true });
    expect(await playground(`normandy.telemetry.main.payload.info.reason`)).toEqual({
      ok: true,
      value: "shutdown",
      matches: true,
    });
    expect(await compareWithNormandy()).toEqual({
      "profile-before-2020": "filter-match",
      "profile-before-2018": "filter-mismatch",
      "blocklist-off": "filter-mismatch",
      "live-profile-before-2020": "filter-match",
      "live-event-ping": "filter-error",
      "live-payload": "filter-match",
    });
    const mainKeys = "normandy.liveTelemetry.main|keys";
    expect(await playground(mainKeys)).toEqual({ ok: true, value: await normandyValue(mainKeys), matches: true });
  });

  it("a changed setting shows in liveTelemetry at the next run, as in Normandy's", async () => {
    await firefox().evalInChrome(`Services.prefs.setBoolPref(args[0], false);`, BLOCKLIST_PREF);
    try {
      const userValue = `normandy.liveTelemetry.main.environment.settings.userPrefs["${BLOCKLIST_PREF}"]`;
      await expect.poll(() => normandyValue(userValue)).toBe(false);
      expect(await playground(userValue)).toEqual({ ok: true, value: false, matches: false });
      expect(await compareWithNormandy()).toMatchObject({
        "blocklist-off": "filter-match",
        "profile-before-2020": "filter-match",
      });
    } finally {
      await firefox().evalInChrome(`Services.prefs.clearUserPref(args[0]);`, BLOCKLIST_PREF);
    }
    expect(await playground("normandy.attribution")).toEqual({ ok: true, value: {}, matches: true });
    expect(await normandyValue("normandy.attribution")).toBeNull();
  });

  it("the QA console shows them: the playground's profile-age example matches, the context view lists the ping types", async () => {
    const text = (id: string) =>
      firefox().evalInContent<string>(`return document.getElementById(args[0]).textContent;`, id);
    await firefox().navigate(await firefox().extensionUrl(ADDON_ID, "pages/console.html"));
    await firefox().evalInContent(`document.querySelector("#playground-examples button.example").click();`);
    expect(await firefox().evalInContent<string>(`return document.getElementById("filter-expression").value;`)).toBe(
      COMPARED["profile-before-2020"],
    );
    await expect
      .poll(() => text("filter-result"))
      .toMatch(/^Matches: the value is truthy\.\s*trueThe filter matches: its value is true\./);

    await firefox().evalInContent(`document.getElementById("refresh-context").click();`);
    await expect.poll(() => text("context-status")).toMatch(/^Computed/);
    const shown = await firefox().evalInContent<Record<string, string>>(
      `return Object.fromEntries([...document.querySelectorAll("#context tr")].map((row) => {
         const value = row.querySelector("td");
         return [row.querySelector("th").textContent, (value.querySelector("summary") ?? value).textContent];
       }));`,
    );
    expect(shown["normandy.telemetry"]).toMatch(/^\{.*\bmain\b.*\} \(\d+ KB\)$/);
    expect(shown["normandy.liveTelemetry"]).toMatch(/^\{main\} \(\d+ KB\)$/);
    expect(shown["normandy.attribution"]).toBe("{}");
    await firefox().screenshot("test-results/screenshots/console-telemetry-context.png");
  });
});
