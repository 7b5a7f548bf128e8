/**
 * Proves the e2e harness and the prefs/telemetry experiment APIs against a real headless Firefox ESR,
 * with a throwaway add-on built here from experiment-apis/ (independent of the product build).
 */
import { build } from "esbuild";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { type ConsoleMessage, type Firefox, buildXpi, launchFirefox, waitForValue } from "./harness/index.js";

const ADDON_ID = "harness-fixture@recipe-client.test";
const EXPERIMENT_APIS = fileURLToPath(new URL("../../experiment-apis/", import.meta.url));
const NAMESPACES = ["prefs", "telemetry"] as const;

/** An MV3 add-on with both experiment APIs, a background script that logs a marker, and a page. */
async function buildFixture(dir: string): Promise<void> {
  const experimentApis: Record<string, unknown> = {};
  for (const ns of NAMESPACES) {
    mkdirSync(join(dir, ns), { recursive: true });
    await build({
      entryPoints: [join(EXPERIMENT_APIS, ns, "api.ts")],
      outfile: join(dir, ns, "api.js"),
      bundle: true,
      format: "iife",
      target: "firefox140",
      logLevel: "warning",
    });
    copyFileSync(join(EXPERIMENT_APIS, ns, "schema.json"), join(dir, ns, "schema.json"));
    // Module keys must differ from built-in namespaces (see experiment-apis/telemetry/api.ts).
    experimentApis[`${ns}Experiment`] = {
      schema: `${ns}/schema.json`,
      parent: { scopes: ["addon_parent"], script: `${ns}/api.js`, paths: [["experiments", ns]] },
    };
  }
  const manifest = {
    manifest_version: 3,
    name: "harness fixture",
    version: "1.0",
    browser_specific_settings: { gecko: { id: ADDON_ID } },
    background: { scripts: ["background.js"] },
    experiment_apis: experimentApis,
  };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, "background.js"), `console.log("hello-marker");\n`);
  writeFileSync(join(dir, "page.html"), `<!doctype html><meta charset="utf-8"><title>fixture page</title>\n`);
}

/** Polls the console until a message matches (the background page starts asynchronously). */
async function waitForConsoleMessage(
  firefox: Firefox,
  matches: (message: ConsoleMessage) => boolean,
): Promise<ConsoleMessage> {
  return waitForValue("the console message", async () => (await firefox.consoleMessages()).find(matches), {
    timeoutMs: 10_000,
    intervalMs: 200,
  });
}

const isMarker = (message: ConsoleMessage) => message.args.includes("hello-marker");

describe("e2e harness with the prefs and telemetry experiment APIs", () => {
  let workDir: string;
  let fixtureDir: string;
  let firefox: Firefox;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "harness-fixture-"));
    fixtureDir = join(workDir, "addon");
    await buildFixture(fixtureDir);
    firefox = await launchFirefox({ name: "harness" });
    expect(await firefox.installAddon(fixtureDir, { temporary: true })).toBe(ADDON_ID);
  });

  beforeEach((context) => firefox.keepLogOnFailure(context));

  afterAll(async () => {
    await firefox?.dispose();
    rmSync(workDir, { recursive: true, force: true });
  });

  test("a temporary install of the experiment add-on is privileged", async () => {
    const state = await firefox.evalInChrome<{ isPrivileged: boolean; temporarilyInstalled: boolean }>(
      `const { extension } = WebExtensionPolicy.getByID(args[0]);
       return { isPrivileged: extension.isPrivileged, temporarilyInstalled: extension.temporarilyInstalled };`,
      ADDON_ID,
    );
    expect(state).toEqual({ isPrivileged: true, temporarilyInstalled: true });
  });

  test("an extension page sees its own browser.* and writes a default-branch pref", async () => {
    const seen = await firefox.evalInExtensionPage<{ runtimeId: string; dflt: unknown; user: unknown; type: string }>(
      ADDON_ID,
      "page.html",
      `await browser.experiments.prefs.setPref("x.y", 5, "default");
       return {
         runtimeId: browser.runtime.id,
         dflt: await browser.experiments.prefs.getPref("x.y", "default"),
         user: await browser.experiments.prefs.getPref("x.y", "user"),
         type: await browser.experiments.prefs.getPrefType("x.y"),
       };`,
    );
    expect(seen).toEqual({ runtimeId: ADDON_ID, dflt: 5, user: 5, type: "integer" });

    const chrome = await firefox.evalInChrome<{ dflt: number; hasUserValue: boolean }>(
      `return {
         dflt: Services.prefs.getDefaultBranch("").getIntPref("x.y"),
         hasUserValue: Services.prefs.prefHasUserValue("x.y"),
       };`,
    );
    expect(chrome).toEqual({ dflt: 5, hasUserValue: false });
  });

  test("prefs: user values, missing values and errors that name the pref", async () => {
    const result = await firefox.evalInExtensionPage<Record<string, unknown>>(
      ADDON_ID,
      "page.html",
      `const prefs = browser.experiments.prefs;
       // Schema violations throw synchronously, implementation errors reject: catch both.
       const failure = async (call) => { try { await call(); return "resolved"; } catch (error) { return error.message; } };
       await prefs.setPref("harness.user-only", "on", "user");
       const before = await prefs.prefHasUserValue("harness.user-only");
       const userOnlyDefault = await prefs.getPref("harness.user-only", "default");
       await prefs.clearUserPref("harness.user-only");
       return {
         before,
         userOnlyDefault,
         afterClear: await prefs.getPref("harness.user-only", "user"),
         missing: await prefs.getPref("harness.no-such-pref", "user"),
         missingType: await prefs.getPrefType("harness.no-such-pref"),
         fraction: await failure(() => prefs.setPref("x.y", 1.5, "user")),
         tooLarge: await failure(() => prefs.setPref("x.y", 2 ** 31, "user")),
         typeConflict: await failure(() => prefs.setPref("x.y", "five", "user")),
         badBranch: await failure(() => prefs.getPref("x.y", "sticky")),
       };`,
    );
    expect(result).toMatchObject({
      before: true,
      userOnlyDefault: null,
      afterClear: null,
      missing: null,
      missingType: "invalid",
    });
    expect(result.fraction).toMatch(/"x\.y".*1\.5.*32-bit integers/);
    expect(result.tooLarge).toMatch(/"x\.y".*2147483648/);
    expect(result.typeConflict).toMatch(/"x\.y".*"five".*already has type integer/);
    expect(result.badBranch).toMatch(/branch/);
  });

  test("reportUptakes records into the runtime-registered Glean event, in order", async () => {
    const reported = await firefox.evalInExtensionPage<{ at: number; now: number; invalid: string; uneven: string }>(
      ADDON_ID,
      "page.html",
      `const telemetry = browser.experiments.telemetry;
       const at = await telemetry.reportUptakes({ sources: ["normandy/recipe/7", "normandy/runner"], statuses: ["backoff", "success"] });
       // A schema violation throws at the call, a refusal of the parent script rejects: both are refusals.
       const refusal = async (batch) => {
         try { await telemetry.reportUptakes(batch); return "resolved"; } catch (error) { return error.message; }
       };
       const invalid = await refusal({ sources: ["normandy/runner"], statuses: ["exploded"] });
       const uneven = await refusal({ sources: ["normandy/runner", "normandy/recipe/8"], statuses: ["success"] });
       return { at, now: await telemetry.msSinceProcessStart(), invalid, uneven };`,
    );
    expect(reported.at).toBeGreaterThan(0);
    expect(reported.now).toBeGreaterThanOrEqual(reported.at);
    expect(reported.invalid).toMatch(/statuses/);
    expect(reported.uneven).toMatch(/sources and statuses must be as long as each other \(2 and 1\)/);

    const events = await firefox.evalInChrome<{ category: string; name: string; extra: Record<string, string> }[]>(
      `return Glean.recipeClient.uptake.testGetValue();`,
    );
    expect(events).toEqual([
      expect.objectContaining({
        category: "recipe_client",
        name: "uptake",
        extra: { source: "normandy/recipe/7", value: "backoff" },
      }),
      expect.objectContaining({
        category: "recipe_client",
        name: "uptake",
        extra: { source: "normandy/runner", value: "success" },
      }),
    ]);
  });

  test("console messages of the background page are collected with the add-on id", async () => {
    const marker = await waitForConsoleMessage(firefox, isMarker);
    expect(marker).toMatchObject({ level: "log", args: ["hello-marker"], addonId: ADDON_ID, process: "extension" });
  });

  test("a permanently installed XPI survives restart() on the same profile", async () => {
    await firefox.uninstallAddon(ADDON_ID);
    const xpi = await buildXpi(fixtureDir, workDir, "fixture");
    expect(await firefox.installAddon(xpi, { temporary: false })).toBe(ADDON_ID);
    await firefox.evalInExtensionPage(
      ADDON_ID,
      "page.html",
      `await browser.experiments.prefs.setPref("harness.persisted", true, "user");`,
    );
    const pidBefore = firefox.pid;

    await firefox.restart();

    expect(firefox.pid).not.toBe(pidBefore);
    const state = await firefox.evalInChrome<Record<string, unknown>>(
      `const { extension } = WebExtensionPolicy.getByID(args[0]);
       return {
         temporarilyInstalled: extension.temporarilyInstalled,
         persisted: Services.prefs.getBoolPref("harness.persisted"),
         defaultBranchValue: Services.prefs.getDefaultBranch("").getPrefType("x.y"),
         uptakeRegistered: Glean.recipeClient?.uptake !== undefined,
       };`,
      ADDON_ID,
    );
    // Default-branch values live only in memory: after a restart "x.y" is gone. The uptake metric is
    // registered lazily, so a new session does not know it until the add-on reports.
    expect(state).toEqual({
      temporarilyInstalled: false,
      persisted: true,
      defaultBranchValue: 0,
      uptakeRegistered: false,
    });
    const at = await firefox.evalInExtensionPage<number>(
      ADDON_ID,
      "page.html",
      `return browser.experiments.telemetry.reportUptakes({ sources: ["normandy/recipe/1"], statuses: ["apply_error"] });`,
    );
    expect(at).toBeGreaterThan(0);
    expect(
      await firefox.evalInChrome(`return Glean.recipeClient.uptake.testGetValue().map((event) => event.extra);`),
    ).toEqual([{ source: "normandy/recipe/1", value: "apply_error" }]);
    await waitForConsoleMessage(firefox, isMarker);
  });

  test("after kill() the same profile starts again with the add-on, without a crash prompt", async () => {
    const pidBefore = firefox.pid;
    await firefox.kill();
    expect(() => process.kill(pidBefore!, 0)).toThrow();

    await firefox.restart();

    expect(
      await firefox.evalInChrome<boolean>(`return WebExtensionPolicy.getByID(args[0])?.active ?? false;`, ADDON_ID),
    ).toBe(true);
    await waitForConsoleMessage(firefox, isMarker);
  });
});
