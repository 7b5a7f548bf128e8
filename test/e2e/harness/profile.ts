/**
 * Firefox profile preparation for e2e runs: the prefs every test Firefox gets, and `user.js` writing.
 * Marionette applies its own "recommended" prefs at start-up (remote/shared/RecommendedPreferences),
 * but only to prefs without a user value and only once Marionette is up, so what must hold from the
 * first instant, or what Marionette does not cover, is set here.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type UserPrefValue = string | number | boolean;
export type UserPrefs = Readonly<Record<string, UserPrefValue>>;

export const TEST_PREFS: UserPrefs = {
  // Marionette picks a free port and writes it to <profile>/MarionetteActivePort.
  "marionette.port": 0,
  // Unsigned experiment add-ons: privileged when temporary, loadable when installed from an XPI.
  "extensions.experiments.enabled": true,
  "xpinstall.signatures.required": false,
  // Firefox's own Normandy must not run recipes next to ours.
  "app.normandy.enabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "datareporting.policy.firstRunURL": "",
  "toolkit.telemetry.reportingpolicy.firstRun": false,
  // Firefox's own Glean pings never leave the machine: -1 makes Glean fake its uploads (tests that enable
  // telemetry upload for the add-on's intake would otherwise have Firefox try Mozilla's telemetry server).
  "telemetry.fog.test.localhost_port": -1,
  // Console output of every process ends up on stdout, hence in the test's log file.
  "devtools.console.stdout.chrome": true,
  "devtools.console.stdout.content": true,
  "browser.dom.window.dump.enabled": true,
  // A quiet start on a blank page, without first-run or default-browser UI.
  "browser.shell.checkDefaultBrowser": false,
  "browser.startup.page": 0,
  "browser.startup.homepage_override.mstone": "ignore",
  "startup.homepage_welcome_url": "about:blank",
  "browser.aboutwelcome.enabled": false,
  // Uninstalling or reloading an add-on closes its tabs; closing the last tab must not end the window
  // (and with it the Marionette session).
  "browser.tabs.closeWindowWithLastTab": false,
  // After kill(), start normally: no safe-mode prompt, no session restore.
  "toolkit.startup.max_resumed_crashes": -1,
  "browser.sessionstore.resume_from_crash": false,
  // Offline: no network probes, no region lookup. No region is set on purpose: with one (e.g. US) the
  // URL bar's Suggest feature switches on and floods the log with Remote Settings errors. Tests that
  // depend on the region set "browser.search.region" themselves.
  "network.connectivity-service.enabled": false,
  "network.captive-portal-service.enabled": false,
  "browser.region.network.url": "",
};

/** A fresh, empty profile directory under the system temp dir. */
export function createTempProfile(): string {
  return mkdtempSync(join(tmpdir(), "recipe-client-e2e-"));
}

/** Writes `user.js` with the test prefs overlaid by `prefs`; Firefox applies it at every start. */
export function writeUserJs(profileDir: string, prefs: UserPrefs = {}): void {
  const merged = { ...TEST_PREFS, ...prefs };
  const lines = Object.entries(merged).map(
    ([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`,
  );
  writeFileSync(join(profileDir, "user.js"), `${lines.join("\n")}\n`);
}
