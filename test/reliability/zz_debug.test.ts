import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";
import { startRecipeServer } from "../../server/recipeServer.js";
import { ADDON_ID, AddonUnderTest, prefsFor } from "../e2e/support/addonUnderTest.js";

it("debug", async () => {
  const workDir = mkdtempSync(join(tmpdir(), "dbg-"));
  const server = await startRecipeServer({ dataDir: join(workDir, "server"), port: 0 });
  const addon = await AddonUnderTest.start("dbg", prefsFor(server), { permanentXpiDir: join(workDir, "client") });
  await addon.waitForRuns(1);
  await addon.firefox.evalInExtensionPage(ADDON_ID, "pages/console.html", `browser.runtime.sendMessage({ type: "run-now" }); return null;`);
  await addon.firefox.kill();
  await addon.firefox.restart();
  await new Promise((r) => setTimeout(r, 3000));
  console.log(await addon.firefox.evalInChrome(`const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
     const a = await AddonManager.getAddonByID(args[0]); return a && { active: a.isActive, disabled: a.userDisabled, appDisabled: a.appDisabled, sig: a.signedState, scope: a.scope, blocklist: a.blocklistState, pending: a.pendingOperations };`, ADDON_ID));
  await addon.dispose(); await server.close();
});
