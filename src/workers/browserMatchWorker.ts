import type { MatchOutcome, MatchWorker, MatchWorkerFactory } from "../core/index.js";

/** Where the build puts `regExpWorker.ts`, inside the add-on. */
export const REGEXP_WORKER_PATH = "workers/regexp.js";

/** A MatchWorkerFactory over a Web Worker running `scriptUrl` (the built `regExpWorker.ts`). */
export function browserMatchWorker(scriptUrl: string): MatchWorkerFactory {
  return (onOutcome): MatchWorker => {
    const worker = new Worker(scriptUrl);
    worker.onmessage = (event: MessageEvent<MatchOutcome>) => onOutcome(event.data);
    return { post: (job) => worker.postMessage(job), terminate: () => worker.terminate() };
  };
}
