/**
 * Talking to the add-on's background page from its quietest page. The QA console re-renders every run and
 * the whole event log after each run, in the extension process the background page shares: left open, its
 * rendering lands inside the runs being measured (and grows with the log). The toolbar popup's page renders
 * nothing, so the bench keeps the content tab on it.
 */
import type { BackgroundRequest, BackgroundResponses } from "../src/messages.js";
import { waitForValue } from "../test/e2e/harness/index.js";
import { ADDON_ID, type AddonUnderTest } from "../test/e2e/support/addonUnderTest.js";

const QUIET_PAGE = "pages/popup.html";

/** Loads the quiet page in the content tab (again after a reinstall, which closes the add-on's tabs). */
export async function openQuietPage(addon: AddonUnderTest): Promise<void> {
  await addon.firefox.navigate(await addon.firefox.extensionUrl(ADDON_ID, QUIET_PAGE));
}

/** Sends `request` to the background page from the quiet page (which must be open) and returns the answer. */
export function askBackground<Type extends keyof BackgroundResponses>(
  addon: AddonUnderTest,
  request: Extract<BackgroundRequest, { type: Type }>,
): Promise<BackgroundResponses[Type]> {
  return addon.firefox.evalInContent<BackgroundResponses[Type]>(
    `return browser.runtime.sendMessage(args[0]);`,
    request,
  );
}

/**
 * Opens the quiet page and waits until a background page started after `startedAfter` (ms since the epoch)
 * answers; returns when it started. Until it has registered its listener, messages fail.
 */
export async function waitForBackground(addon: AddonUnderTest, startedAfter = 0, timeoutMs = 30_000): Promise<number> {
  return waitForValue(
    `a background page started after ${startedAfter}`,
    async () => {
      await openQuietPage(addon);
      const { backgroundStartedAt } = await askBackground(addon, { type: "get-studies" });
      return backgroundStartedAt > startedAfter && backgroundStartedAt;
    },
    { timeoutMs, intervalMs: 200 },
  );
}
