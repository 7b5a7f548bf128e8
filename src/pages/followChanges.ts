import { browser } from "../apis/browserApis.js";
import type { PageNotice } from "../messages.js";

/**
 * Calls `refresh` whenever what a page shows may have changed: anything in the add-on's storage (studies,
 * rollouts, runs, events: every store lives there) or a notice from the background page. Refreshes never
 * overlap; changes that arrive during one cause exactly one more.
 */
export function followChanges(refresh: () => Promise<void>): void {
  let running: Promise<void> | null = null;
  let again = false;
  const request = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = refresh()
      .catch((error: unknown) => console.error("[recipe-client] page refresh failed", error))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          request();
        }
      });
  };
  browser.storage.onChanged.addListener(request);
  // Synchronous and answerless: other messages between pages and the background must not get a reply from here.
  browser.runtime.onMessage.addListener((message: unknown) => {
    if ((message as PageNotice | null)?.type === "studies-enabled-changed") request();
  });
}
