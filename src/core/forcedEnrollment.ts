import type { RunHereMode } from "./clientPingRegistry.js";

/**
 * An enrollment QA made from the console's "Run here", outside the normal runs, as its study record keeps it:
 * normal runs leave it alone (no unenrollment because its filter says no or its recipe is unseen), and QA's
 * undo ends it and forgets it. Not a field of Normandy's records.
 */
export interface ForcedEnrollment {
  mode: RunHereMode;
  recipeId: number;
  /** ISO date of the forced run. */
  at: string;
}

/** The unenroll reason of QA's undo of a forced enrollment (not one of Normandy's: only QA ends a study so). */
export const QA_UNDO_REASON = "qa-undo";
