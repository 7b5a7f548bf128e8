/**
 * Normandy's `regExpMatch` transform, `value.match(new RegExp(pattern, flags))`, and the pieces that let it
 * run in a worker under a time limit (see timeLimitedRegExpMatch.ts): a regular expression can backtrack
 * for longer than the universe exists (`^(a+)+$` on forty a's and a "!"), and a match in progress cannot be
 * interrupted on the thread that runs it.
 */

/** Evaluates `regExpMatch`; may return a promise (the time-limited matcher does). */
export type RegExpMatcher = (value: unknown, pattern: unknown, flags: unknown) => unknown;

/** Firefox's own: an array of matches or null; a value that is not a string throws. */
export const nativeRegExpMatch: RegExpMatcher = (value, pattern, flags) =>
  (value as string).match(new RegExp(pattern as string, flags as string | undefined));

/** One match to make, as posted to a worker. */
export interface MatchJob {
  id: number;
  value: string;
  pattern: unknown;
  flags: unknown;
}

/** A match result in a form every message channel carries unchanged (a match array's `index`, `input` and `groups` included). */
export type MatchOutcome =
  | { id: number; ok: true; match: SerializedMatch | null }
  | { id: number; ok: false; errorName: string; message: string };

export interface SerializedMatch {
  items: (string | null)[];
  /** Absent for a global match (`g`), which returns every match and nothing else. */
  index?: number;
  input?: string;
  groups?: Record<string, string | null>;
}

/**
 * Runs one job; what a worker executes. Self-contained (no imports, no closure) so a worker can be made from
 * its source text where bundling one is not practical (Node's worker_threads in tests).
 */
export function runMatchJob(job: MatchJob): MatchOutcome {
  try {
    const match = job.value.match(new RegExp(job.pattern as string, job.flags as string | undefined));
    if (match === null) return { id: job.id, ok: true, match: null };
    // undefined (an unmatched group) becomes null on the way, and back again in `matchFromOutcome`.
    const orNull = (item: string | undefined) => (item === undefined ? null : item);
    const serialized: SerializedMatch = { items: Array.from(match, orNull) };
    if (match.index !== undefined) {
      serialized.index = match.index;
      serialized.input = match.input!;
    }
    if (match.groups)
      serialized.groups = Object.fromEntries(Object.entries(match.groups).map(([name, item]) => [name, orNull(item)]));
    return { id: job.id, ok: true, match: serialized };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
    return { id: job.id, ok: false, errorName: name, message };
  }
}

/** The match array (or error) `runMatchJob` described, shaped as `String.prototype.match` returns it. */
export function matchFromOutcome(outcome: MatchOutcome): RegExpMatchArray | null {
  if (!outcome.ok) {
    const ErrorType =
      outcome.errorName === "SyntaxError" ? SyntaxError : outcome.errorName === "TypeError" ? TypeError : Error;
    throw new ErrorType(outcome.message);
  }
  const { match } = outcome;
  if (match === null) return null;
  const array = match.items.map((item) => (item === null ? undefined : item)) as RegExpMatchArray;
  if (match.index !== undefined) {
    array.index = match.index;
    array.input = match.input;
    const groups = match.groups;
    array.groups = groups
      ? Object.assign(
          Object.create(null) as Record<string, string>,
          Object.fromEntries(Object.entries(groups).map(([name, item]) => [name, item ?? undefined])),
        )
      : undefined;
  }
  return array;
}
