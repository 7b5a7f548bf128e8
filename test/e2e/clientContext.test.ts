/**
 * The filter context in a real Firefox ESR: recipes whose filters read context attributes match (or not)
 * on real values, and the QA console's `get-context` message shows what a filter sees: version, channel,
 * locale, OS, add-ons, the server's classification (with Firefox's home region when the server is
 * unreachable) and a randomization id that stays the same.
 */
import { describe, expect, it } from "vitest";
import type { ContextSnapshot } from "../../src/context/ClientContext.js";
import { ADDON_ID } from "./support/addonUnderTest.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SERVER_COUNTRY = "FR";
const HOME_REGION = "DE";
const API_URL_PREF = "extensions.recipeclient.api_url";

describe("the filter context, end to end", () => {
  const ids: Record<string, number> = {};
  const running = useServerAndAddon("client-context", {
    country: SERVER_COUNTRY,
    prefs: {
      "intl.locale.requested": "en-US",
      // Region.home starts from this pref (the profile is offline): the fallback when classify fails.
      "browser.search.region": HOME_REGION,
    },
    prepareServer: async (server) => {
      const create = (name: string, filter: string, capabilities: string[] = []) => {
        ids[name] = server.store.create(
          { name, action: "console-log", arguments: { message: name }, filter_expression: filter, capabilities },
          true,
        ).id;
      };
      create(
        "firefox",
        `normandy.channel == "esr" && normandy.version != null && normandy.os.isLinux && env.locale == "en-US"`,
      );
      create("classified", `normandy.country == "${SERVER_COUNTRY}" && normandy.request_time != null`);
      create(
        "self-installed",
        `normandy.addons["${ADDON_ID}"].isActive && normandy.addons["${ADDON_ID}"].type == "extension"`,
      );
      create("first-run", `normandy.isFirstRun`);
      create("release-only", `normandy.channel == "release"`);
      create("needs-country", `true`, ["capabilities-v1", "action.console-log", "jexl.context.normandy.country"]);
      create("needs-telemetry", `true`, [
        "jexl.context.normandy.telemetry",
        "jexl.context.env.liveTelemetry",
        "jexl.context.normandy.attribution",
      ]);
      create("needs-unknown-attribute", `true`, ["jexl.context.normandy.searchHistory"]);
      create("versioned", `env.version|versionCompare("140.0") > 0`, [
        "jexl.transform.versionCompare",
        "jexl.context.env.version",
      ]);
      await server.publish();
    },
  });

  const context = () =>
    running.addon.firefox.evalInExtensionPage<ContextSnapshot>(
      ADDON_ID,
      "pages/console.html",
      `return browser.runtime.sendMessage({ type: "get-context" });`,
    );
  const valueOf = (snapshot: ContextSnapshot, name: keyof ContextSnapshot) => {
    const reading = snapshot[name];
    if ("error" in reading) throw new Error(`${name}: ${reading.error}`);
    return reading.value;
  };
  const readPref = (name: string) =>
    running.addon.firefox.evalInChrome<unknown>(
      `const type = Services.prefs.getPrefType(args[0]);
       if (type === Services.prefs.PREF_STRING) return Services.prefs.getStringPref(args[0]);
       if (type === Services.prefs.PREF_BOOL) return Services.prefs.getBoolPref(args[0]);
       return null;`,
      name,
    );
  const setPref = (name: string, value: string) =>
    running.addon.firefox.evalInChrome(`Services.prefs.setStringPref(args[0], args[1]);`, name, value);

  it("matches recipes on real context values and advertised capabilities", async () => {
    const [run] = await running.addon.waitForRuns(1);
    expect(run).toMatchObject({ trigger: "startup", runnerStatus: "success" });
    const suitabilityOf = Object.fromEntries(run!.recipes.map((recipe) => [recipe.id, recipe.suitability]));
    expect(suitabilityOf).toEqual({
      [ids.firefox!]: "filter-match",
      [ids.classified!]: "filter-match",
      [ids["self-installed"]!]: "filter-match",
      [ids["first-run"]!]: "filter-match",
      [ids["release-only"]!]: "filter-mismatch",
      [ids["needs-country"]!]: "filter-match",
      [ids["needs-telemetry"]!]: "filter-match",
      [ids["needs-unknown-attribute"]!]: "capabilities-mismatch",
      [ids.versioned!]: "filter-match",
    });
  });

  it("the first successful run ends isFirstRun", async () => {
    expect(await readPref("extensions.recipeclient.first_run")).toBe(false);
    const run = await running.addon.runNow();
    expect(run.recipes.find((recipe) => recipe.id === ids["first-run"])).toMatchObject({
      suitability: "filter-mismatch",
    });
  });

  it("get-context shows Firefox's real values", async () => {
    const snapshot = await context();
    expect(valueOf(snapshot, "version")).toMatch(/^153\./);
    expect(valueOf(snapshot, "channel")).toBe("esr");
    expect(valueOf(snapshot, "locale")).toBe("en-US");
    expect(valueOf(snapshot, "os")).toMatchObject({ isLinux: true, isWindows: false, isMac: false, name: "Linux" });
    expect(valueOf(snapshot, "country")).toBe(SERVER_COUNTRY);
    expect(Date.parse(valueOf(snapshot, "request_time") as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(valueOf(snapshot, "isFirstRun")).toBe(false);
    expect(valueOf(snapshot, "formFactor")).toBe("desktop");
    const addons = valueOf(snapshot, "addons") as Record<string, { isActive: boolean; version: string }>;
    expect(addons[ADDON_ID]).toMatchObject({ id: ADDON_ID, isActive: true, type: "extension" });
    expect(valueOf(snapshot, "experiments")).toEqual({ all: [], active: [], expired: [] });
    // A fresh profile: nothing archived yet (its first main ping is archived at shutdown), no attribution on Linux.
    expect(valueOf(snapshot, "telemetry")).toEqual({});
    expect(valueOf(snapshot, "liveTelemetry")).toMatchObject({
      main: { type: "main", environment: { profile: { creationDate: expect.any(Number) } } },
    });
    expect(valueOf(snapshot, "attribution")).toEqual({});
    for (const [name, reading] of Object.entries(snapshot)) expect(reading, name).not.toHaveProperty("error");
  });

  it("keeps one randomization id, stored in the add-on's pref, across runs", async () => {
    const first = valueOf(await context(), "userId");
    expect(first).toMatch(UUID_V4);
    await running.addon.runNow();
    const again = await context();
    expect(valueOf(again, "userId")).toBe(first);
    expect(valueOf(again, "randomizationId")).toBe(first);
    expect(await readPref("extensions.recipeclient.user_id")).toBe(first);
  });

  it("falls back to Firefox's home region when the server cannot classify the client", async () => {
    await setPref(API_URL_PREF, "http://127.0.0.1:1/api/v1/");
    try {
      expect(valueOf(await context(), "country")).toBe(HOME_REGION);
    } finally {
      await setPref(API_URL_PREF, running.server.config.legacyApiUrl);
    }
  });
});
