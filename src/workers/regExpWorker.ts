/**
 * The worker that runs filters' `regExpMatch` for the background page (see timeLimitedRegExpMatch.ts),
 * built to `dist/workers/regexp.js`: it matches, answers, and is terminated when a match takes too long.
 */
// The one module, not core's index: the worker needs nothing else, and stays a few hundred bytes.
import { runMatchJob, type MatchJob } from "../core/index.js";

self.onmessage = (event: MessageEvent<MatchJob>) => {
  self.postMessage(runMatchJob(event.data));
};
