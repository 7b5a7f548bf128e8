import { browser } from "../apis/browserApis.js";
import type { BackgroundRequest, BackgroundResponses } from "../messages.js";

/** Sends `request` to the background page and resolves with its typed answer. */
export async function askBackground<R extends BackgroundRequest>(request: R): Promise<BackgroundResponses[R["type"]]> {
  return (await browser.runtime.sendMessage(request)) as BackgroundResponses[R["type"]];
}
