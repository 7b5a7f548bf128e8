/**
 * The add-on's background page memory, read in the chrome context after minimizing memory in every process
 * (garbage and cycle collection, as about:memory's "Minimize memory usage"), so the figures are what the
 * page keeps, not garbage it has not collected yet:
 * - `windowMiB`: Firefox's memory reporters' `explicit/window-objects/top(<background page URL>, …)`
 *   subtree: the background page's window, its DOM and its JS realm (objects, strings, scripts);
 * - `jsRealmMiB`: the part of that in the page's JS realm (`…/js-realm(…)/…`), the JS heap proper;
 * - `extensionProcessMiB`: the resident memory of the extension process (`ChromeUtils.requestProcInfo`),
 *   which also holds Firefox's own code and the extension pages that are open.
 */
import { ADDON_ID, type AddonUnderTest } from "../test/e2e/support/addonUnderTest.js";

export interface BackgroundMemory {
  windowMiB: number;
  jsRealmMiB: number;
  extensionProcessMiB: number;
}

const MIB = 2 ** 20;

export async function backgroundMemory(addon: AddonUnderTest): Promise<BackgroundMemory> {
  const bytes = await addon.firefox.evalInChrome<{ window: number; jsRealm: number; extensionProcess: number }>(
    `const manager = Cc["@mozilla.org/memory-reporter-manager;1"].getService(Ci.nsIMemoryReporterManager);
     Services.obs.notifyObservers(null, "child-mmu-request");
     await new Promise((resolve) => manager.minimizeMemoryUsage(resolve));
     await new Promise((resolve) => setTimeout(resolve, 1000)); // the child processes minimize on their own
     const top = "explicit/window-objects/top(" + WebExtensionPolicy.getByID(args[0]).getURL("_generated_background_page.html");
     const totals = { window: 0, jsRealm: 0 };
     await new Promise((resolve) => manager.getReports(
       (process, path, kind, units, amount) => {
         if (units !== Ci.nsIMemoryReporter.UNITS_BYTES || !path.startsWith(top)) return;
         totals.window += amount;
         if (path.includes("/js-realm(")) totals.jsRealm += amount;
       },
       null, resolve, null, false));
     const { children } = await ChromeUtils.requestProcInfo();
     const extensionProcess = children.filter((child) => child.type === "extension").reduce((sum, child) => sum + child.memory, 0);
     return { ...totals, extensionProcess };`,
    ADDON_ID,
  );
  const mib = (value: number) => Math.round((value / MIB) * 100) / 100;
  return { windowMiB: mib(bytes.window), jsRealmMiB: mib(bytes.jsRealm), extensionProcessMiB: mib(bytes.extensionProcess) };
}
