import { Worker } from "node:worker_threads";
import { runMatchJob, type MatchOutcome, type MatchWorker, type MatchWorkerFactory } from "../../src/core/index.js";

/**
 * A MatchWorkerFactory over Node's worker_threads, for tests: the add-on's worker is a bundled script, here
 * the worker is made from `runMatchJob`'s own source (it is self-contained for this reason).
 */
export const nodeMatchWorker: MatchWorkerFactory = (onOutcome): MatchWorker => {
  const source = `const { parentPort } = require("node:worker_threads");
    const runMatchJob = ${runMatchJob.toString()};
    parentPort.on("message", (job) => parentPort.postMessage(runMatchJob(job)));`;
  const worker = new Worker(source, { eval: true });
  worker.on("message", (outcome: MatchOutcome) => onOutcome(outcome));
  // A terminated worker is gone for good; nothing waits on it.
  worker.unref();
  return { post: (job) => worker.postMessage(job), terminate: () => void worker.terminate() };
};
