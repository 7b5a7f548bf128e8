#!/usr/bin/env node
// `npm start`: build, start the local recipe server, then Firefox with the add-on configured for it.
//   FIREFOX_BINARY=/path/to/firefox  pick the browser (default: firefox-nightly when installed, else firefox-esr)
//   --headless (or HEADLESS=1)        run Firefox without a window
//   RECIPE_SERVER_PORT / RECIPE_SERVER_DATA  server port (8888) and data folder (./server-data)
import { spawn, execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import webExtConfig from "../web-ext-config.mjs";
import { ADDON_UUID } from "./addonIdentity.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const headless = process.argv.includes("--headless") || process.env.HEADLESS === "1";

function pickFirefox() {
  if (process.env.FIREFOX_BINARY) return process.env.FIREFOX_BINARY;
  for (const name of ["firefox-nightly", "firefox-esr", "firefox"]) {
    try {
      return execFileSync("which", [name], { encoding: "utf8" }).trim();
    } catch {
      // not installed; try the next one
    }
  }
  throw new Error("No Firefox found: install firefox-esr (apt-get install firefox-esr) or set FIREFOX_BINARY");
}

async function waitForServer(url, server) {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (server.exitCode !== null) throw new Error(`the recipe server exited with code ${server.exitCode}`);
    try {
      const response = await fetch(`${url}/admin/api/config`);
      if (response.ok) return response.json();
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the recipe server did not answer at ${url}`);
}

execFileSync(process.execPath, [path.join(root, "scripts/build.mjs")], { stdio: "inherit", cwd: root });

const port = process.env.RECIPE_SERVER_PORT ?? "8888";
const server = spawn(process.execPath, [path.join(root, "build/server.mjs")], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, RECIPE_SERVER_PORT: port },
});
const config = await waitForServer(`http://127.0.0.1:${port}`, server);

const firefox = pickFirefox();
const { default: webExt } = await import("web-ext");
const prefs = Object.fromEntries(
  webExtConfig.run.pref.map((entry) => {
    const at = entry.indexOf("=");
    const value = entry.slice(at + 1);
    return [entry.slice(0, at), value === "true" ? true : value === "false" ? false : value];
  }),
);
// The prefs that point the add-on at this server, exactly as the server prints them.
Object.assign(prefs, config.addonPrefs, {
  // This throw-away profile only: the add-on's telemetry goes to the local intake out of the box (Debian's ESR
  // starts with upload off, and the add-on posts only while it is on)...
  "datareporting.healthreport.uploadEnabled": true,
  // ...while Firefox's own never leaves this machine: Glean pretends to upload (a negative port sends
  // nothing), Legacy Telemetry's upload stays off (web-ext sets datareporting.policy.dataSubmissionEnabled
  // false) and its server is a local address that nothing answers.
  "telemetry.fog.test.localhost_port": -1,
  "toolkit.telemetry.server": "http://127.0.0.1:9/telemetry-off",
});
const consoleUrl = `moz-extension://${ADDON_UUID}/pages/console.html`;
const studiesUrl = `moz-extension://${ADDON_UUID}/pages/studies.html`;

const runner = await webExt.cmd.run(
  {
    sourceDir: path.join(root, webExtConfig.sourceDir),
    firefox,
    pref: prefs,
    args: headless ? ["-headless"] : [],
    startUrl: [config.serverUrl],
    noInput: true,
    noReload: true,
  },
  { shouldExitProgram: false },
);

const addonPages = headless
  ? // Nothing can open a moz-extension:// page of a headless Firefox: the server page shows what the client reports.
    `What the client did:  ${config.serverUrl}/ → Telemetry → this client (its runs, enrollments and events)`
  : `Add-on QA console:    ${consoleUrl}
Add-on studies page:  ${studiesUrl}  (both also behind the add-on's toolbar button)
What the client did:  the QA console, or ${config.serverUrl}/ → Telemetry → this client`;
console.log(`
Recipe server page:   ${config.serverUrl}/
Changeset:            ${config.remoteSettingsUrl}/buckets/main/collections/normandy-recipes-capabilities/changeset?_expected=0
${addonPages}
Firefox:              ${firefox}${headless ? " (headless)" : ""}; a throw-away profile whose telemetry upload is on
                      for the add-on's intake only (Firefox's own telemetry stays on this machine)
Press Ctrl-C to stop both.`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await runner.exit().catch(() => undefined);
  server.kill("SIGTERM");
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
// web-ext's profile helper (firefox-profile) ends the process on SIGINT itself, before `stop` can run: the
// server must not outlive it.
process.on("exit", () => {
  if (server.exitCode === null) server.kill("SIGTERM");
});
server.on("exit", (code) => {
  if (!stopping) console.error(`The recipe server stopped (code ${code}); stopping Firefox.`);
  void stop();
});
runner.registerCleanup(() => {
  if (!stopping) void stop();
});
