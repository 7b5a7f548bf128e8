import {
  matchFromOutcome,
  nativeRegExpMatch,
  type MatchJob,
  type MatchOutcome,
  type RegExpMatcher,
} from "./regExpMatch.js";

/** A worker that runs `runMatchJob` on each job it is posted and answers with the outcome. */
export interface MatchWorker {
  post(job: MatchJob): void;
  /** Stops the worker at once, also in the middle of a match. */
  terminate(): void;
}

/** Makes a worker that calls `onOutcome` with each answer. */
export type MatchWorkerFactory = (onOutcome: (outcome: MatchOutcome) => void) => MatchWorker;

/**
 * How long one `regExpMatch` may take. Real filters match a pattern against a version or locale string in
 * microseconds; a pattern that needs this long on such input is backtracking catastrophically.
 */
export const REGEXP_TIME_LIMIT_MS = 250;

/** A `regExpMatch` that ran out of time: the filter fails (filter-error), the run goes on. */
export class RegExpTimeLimitError extends Error {
  constructor(pattern: unknown, limitMs: number) {
    super(
      `regExpMatch gave up on /${String(pattern).slice(0, 80)}/ after ${limitMs} ms: the pattern backtracks catastrophically on this input`,
    );
    this.name = "RegExpTimeLimitError";
  }
}

interface QueuedJob {
  job: MatchJob;
  resolve(outcome: MatchOutcome): void;
  reject(error: Error): void;
}

/**
 * `regExpMatch` with a time limit: each match of a string runs in a worker, one at a time, and a match that
 * takes longer than `limitMs` fails and the worker is terminated (a new one is made for the next match).
 * Exactly Firefox's semantics otherwise, since the worker runs the same engine. A value that is not a string
 * never reaches the worker: matching it throws at once, as it does in Firefox.
 */
export function timeLimitedRegExpMatch(
  createWorker: MatchWorkerFactory,
  limitMs = REGEXP_TIME_LIMIT_MS,
): RegExpMatcher {
  const queue: QueuedJob[] = [];
  let worker: MatchWorker | null = null;
  let running: { queued: QueuedJob; timer: ReturnType<typeof setTimeout> } | null = null;
  let nextId = 1;

  const settle = (outcome: MatchOutcome) => {
    if (!running || running.queued.job.id !== outcome.id) return; // an answer from before a time-out
    clearTimeout(running.timer);
    const { queued } = running;
    running = null;
    queued.resolve(outcome);
    startNext();
  };
  const startNext = () => {
    const queued = queue.shift();
    if (!queued) return;
    worker ??= createWorker(settle);
    const timer = setTimeout(() => {
      worker?.terminate();
      worker = null;
      running = null;
      queued.reject(new RegExpTimeLimitError(queued.job.pattern, limitMs));
      startNext();
    }, limitMs);
    running = { queued, timer };
    try {
      worker.post(queued.job);
    } catch (error) {
      // A pattern or flags value no message can carry (none a filter can produce from JSON data).
      clearTimeout(timer);
      running = null;
      queued.reject(error instanceof Error ? error : new Error(String(error)));
      startNext();
    }
  };

  return async (value, pattern, flags) => {
    if (typeof value !== "string") return nativeRegExpMatch(value, pattern, flags);
    const outcome = await new Promise<MatchOutcome>((resolve, reject) => {
      queue.push({ job: { id: nextId++, value, pattern, flags }, resolve, reject });
      if (!running) startNext();
    });
    return matchFromOutcome(outcome);
  };
}
