/**
 * The add-on's background page memory, read in the chrome context after minimizing memory in every process
 * (garbage and cycle collection, as about:memory's "Minimize memory usage"), so the figures are what the
 * page keeps, not garbage it has not collected yet:
 * - `windowMiB`: Firefox's memory reporters' `explicit/window-objects/top(<background page URL>, …)`
 *   subtree: the background page's window, its DOM and its JS (objects, strings, scripts, shapes);
 * - `jsMiB`: the JS part of that (`…/js-realm(…)/…` and `…/js-zone(…)/…`): the page's JS heap;
 * - `extensionProcessMiB`: the resident memory of the extension process (`ChromeUtils.requestProcInfo`),
 *   which also holds Firefox's own code and the extension pages that are open.
 */
import { ADDON_ID, type AddonUnderTest } from "../test/e2e/support/addonUnderTest.js";

export interface BackgroundMemory {
  windowMiB: number;
  jsMiB: number;
  extensionProcessMiB: number;
}

const MIB = 2 ** 20;

export async function backgroundMemory(addon: AddonUnderTest): Promise<BackgroundMemory> {
  const bytes = await addon.firefox.evalInChrome<{ window: number; js: number; extensionProcess: number }>(
    `const manager = Cc["@mozilla.org/memory-reporter-manager;1"].getService(Ci.nsIMemoryReporterManager);
     Services.obs.notifyObservers(null, "child-mmu-request");
     await new Promise((resolve) => manager.minimizeMemoryUsage(resolve));
     await new Promise((resolve) => setTimeout(resolve, 1000)); // the child processes minimize on their own
     // Reporters write a URL's slashes as backslashes inside a path component.
     const page = WebExtensionPolicy.getByID(args[0]).getURL("_generated_background_page.html").replaceAll("/", "\\\\");
     const top = "explicit/window-objects/top(" + page + ",";
     const totals = { window: 0, js: 0 };
     await new Promise((resolve) => manager.getReports(
       (process, path, kind, units, amount) => {
         if (units !== Ci.nsIMemoryReporter.UNITS_BYTES || !path.startsWith(top)) return;
         totals.window += amount;
         if (path.includes("/js-realm(") || path.includes("/js-zone(")) totals.js += amount;
       },
       null, resolve, null, false));
     const { children } = await ChromeUtils.requestProcInfo();
     const extensionProcess = children.filter((child) => child.type === "extension").reduce((sum, child) => sum + child.memory, 0);
     return { ...totals, extensionProcess };`,
    ADDON_ID,
  );
  const mib = (value: number) => Math.round((value / MIB) * 100) / 100;
  if (bytes.window === 0)
    throw new Error("no memory report for the background page: did Firefox change the reporters' paths?");
  return { windowMiB: mib(bytes.window), jsMiB: mib(bytes.js), extensionProcessMiB: mib(bytes.extensionProcess) };
}
