/**
 * Small plain WebExtensions the add-on tests build and upload to the local server as study or rollout
 * add-ons, and how to read an installed add-on back in the chrome context.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServedExtensionDetails } from "../../../server/extensionDetails.js";
import type { RunningRecipeServer } from "../../../server/recipeServer.js";
import { buildXpi, type Firefox } from "../harness/index.js";
import { ADDON_ID } from "./addonUnderTest.js";

/** The page every test add-on has, for running `browser.*` calls as that add-on. */
export const TEST_ADDON_PAGE = "page.html";

/**
 * Builds an add-on with `id` and `version` under `workDir` and returns the .xpi's bytes. Its background
 * answers the recipe client's unenroll notice after a short "cleanup"; its page is empty.
 */
export async function buildTestAddon(workDir: string, id: string, version: string): Promise<Buffer> {
  const name = `${id.replace(/[^\w.-]+/g, "_")}-${version}`;
  const dir = join(workDir, "src", name);
  mkdirSync(dir, { recursive: true });
  const manifest = {
    manifest_version: 2,
    name: `Test add-on ${id}`,
    version,
    browser_specific_settings: { gecko: { id } },
    background: { scripts: ["background.js"] },
  };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  writeFileSync(
    join(dir, "background.js"),
    `browser.runtime.onMessageExternal.addListener((message, sender) => {
       if (sender.id !== ${JSON.stringify(ADDON_ID)} || message?.type !== "unenroll") return undefined;
       return new Promise((resolve) => setTimeout(() => resolve({ cleanedUp: true, reason: message.reason }), 200));
     });
`,
  );
  writeFileSync(join(dir, TEST_ADDON_PAGE), `<!doctype html><meta charset="utf-8"><title>${id}</title>`);
  return readFileSync(await buildXpi(dir, join(workDir, "xpi"), name));
}

/** Uploads a package through the server's admin API, as QA would; returns its metadata. */
export async function uploadXpi(server: RunningRecipeServer, xpi: Buffer): Promise<ServedExtensionDetails> {
  const response = await fetch(`${server.url}/admin/api/extensions`, { method: "POST", body: new Uint8Array(xpi) });
  if (response.status !== 201) throw new Error(`upload failed: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as ServedExtensionDetails;
}

export interface InstalledAddon {
  version: string;
  isActive: boolean;
}

/** The add-on as AddonManager has it, or null when it is not installed. */
export function installedAddon(firefox: Firefox, id: string): Promise<InstalledAddon | null> {
  return firefox.evalInChrome<InstalledAddon | null>(
    `const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
     const addon = await AddonManager.getAddonByID(args[0]);
     return addon && { version: addon.version, isActive: addon.isActive };`,
    id,
  );
}
