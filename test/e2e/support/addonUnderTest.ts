/**
 * Runs the built add-on (dist/) in a fresh headless Firefox configured for a local recipe server, and
 * reads back what it did: its run reports and event log (through its own QA console page), Glean uptake
 * (in the chrome context) and the browser console.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";
import type { BackgroundState, StudiesState } from "../../../src/messages.js";
import type { RunReport } from "../../../src/core/runReport.js";
import { addonPrefs } from "../../../server/addonPrefs.js";
import type { RunningRecipeServer } from "../../../server/recipeServer.js";
import { type ConsoleMessage, type Firefox, type UserPrefs, buildXpi, launchFirefox } from "../harness/index.js";

export const DIST = fileURLToPath(new URL("../../../dist/", import.meta.url));
export const ADDON_ID: string = JSON.parse(readFileSync(new URL("../../../manifest.json", import.meta.url), "utf8"))
  .browser_specific_settings.gecko.id;
const CONSOLE_PAGE = "pages/console.html";

/**
 * The prefs that point the add-on at `server` (what `npm start` sets for the default server). Change notices
 * are off unless asked for: most tests trigger runs themselves and count them.
 */
export function prefsFor(server: RunningRecipeServer, { notices = false }: { notices?: boolean } = {}): UserPrefs {
  const prefs: UserPrefs = Object.fromEntries(addonPrefs(server.config).map(({ name, value }) => [name, value]));
  return { ...prefs, "extensions.recipeclient.notices_url": notices ? server.config.noticesUrl : "" };
}

export interface UptakeEvent {
  source: string;
  value: string;
}

export interface AddonStartOptions {
  /** Start on this profile (kept afterwards) instead of a fresh one. */
  profileDir?: string;
  /**
   * Install dist/ permanently, packed into an .xpi in this folder, so the add-on survives
   * `firefox.restart()`; by default it is installed temporarily and gone after a restart.
   */
  permanentXpiDir?: string;
  /** Runs once Firefox is up, before the add-on is installed (and so before its first run). */
  beforeInstall?: (firefox: Firefox) => Promise<void>;
}

export class AddonUnderTest {
  private constructor(readonly firefox: Firefox) {}

  /** Launches Firefox with `prefs` and installs dist/ (which starts its first run). */
  static async start(
    name: string,
    prefs: UserPrefs,
    { profileDir, permanentXpiDir, beforeInstall }: AddonStartOptions = {},
  ): Promise<AddonUnderTest> {
    if (!existsSync(`${DIST}manifest.json`)) throw new Error("dist/ is not built: run `npm run build` first");
    const firefox = await launchFirefox({ name, prefs, ...(profileDir ? { profileDir } : {}) });
    await beforeInstall?.(firefox);
    if (permanentXpiDir) {
      await firefox.installAddon(await buildXpi(DIST, permanentXpiDir, "recipe-client"), { temporary: false });
    } else {
      await firefox.installAddon(DIST, { temporary: true });
    }
    return new AddonUnderTest(firefox);
  }

  /** Asks the background page for its state, through the QA console page like a user would. */
  state(): Promise<BackgroundState> {
    return this.firefox.evalInExtensionPage<BackgroundState>(
      ADDON_ID,
      CONSOLE_PAGE,
      `return browser.runtime.sendMessage({ type: "get-state" });`,
    );
  }

  /** The add-on's preference studies and what was re-applied at this start, from the background page. */
  studies(): Promise<StudiesState> {
    return this.firefox.evalInExtensionPage<StudiesState>(
      ADDON_ID,
      CONSOLE_PAGE,
      `return browser.runtime.sendMessage({ type: "get-studies" });`,
    );
  }

  /** Presses "Run now" on the QA console and returns the report of that run. */
  async runNow(): Promise<RunReport> {
    return this.firefox.evalInExtensionPage<RunReport>(
      ADDON_ID,
      CONSOLE_PAGE,
      `const button = document.getElementById("run-now");
       const done = new Promise((resolve) => {
         new MutationObserver(() => {
           if (document.getElementById("run-status").textContent.startsWith("Done")) resolve();
         }).observe(document.getElementById("run-status"), { childList: true, characterData: true, subtree: true });
       });
       button.click();
       await done;
       return (await browser.runtime.sendMessage({ type: "get-state" })).runs[0];`,
    );
  }

  /** Waits until the add-on has finished `count` runs; returns them newest first. */
  waitForRuns(count: number, timeoutMs = 20_000): Promise<RunReport[]> {
    return vi.waitFor(
      async () => {
        const { runs } = await this.state();
        if (runs.length < count)
          throw new Error(`only ${runs.length} of ${count} runs finished within ${timeoutMs} ms`);
        return runs;
      },
      { timeout: timeoutMs, interval: 250 },
    );
  }

  /** Every uptake the add-on recorded to Glean this session, oldest first. */
  async gleanUptake(): Promise<UptakeEvent[]> {
    return this.firefox.evalInChrome<UptakeEvent[]>(
      `const events = Glean.recipeClient?.uptake?.testGetValue() ?? [];
       return events.map((event) => ({ source: event.extra.source, value: event.extra.value }));`,
    );
  }

  /** Browser console messages logged by this add-on. */
  async consoleMessages(): Promise<ConsoleMessage[]> {
    return (await this.firefox.consoleMessages()).filter((message) => message.addonId === ADDON_ID);
  }

  dispose(): Promise<void> {
    return this.firefox.dispose();
  }
}
