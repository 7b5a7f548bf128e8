import { RUN_HERE_MODES, type RunHereMode } from "./clientPingRegistry.js";

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

/** Whether a stored record's `forced` field is absent or well-formed: it decides what normal runs may end. */
export function isForcedEnrollmentField(value: unknown): boolean {
  if (value === undefined) return true;
  const forced = value as Partial<Record<keyof ForcedEnrollment, unknown>> | null;
  return (
    typeof forced === "object" &&
    forced !== null &&
    (RUN_HERE_MODES as readonly unknown[]).includes(forced.mode) &&
    Number.isInteger(forced.recipeId) &&
    typeof forced.at === "string" &&
    !Number.isNaN(Date.parse(forced.at))
  );
}

/** How a recipe was run here, in the words every page uses ("forced by QA in a chosen branch"). */
export const RUN_HERE_MODE_WORDS: Readonly<Record<RunHereMode, string>> = {
  AS_IS: "as is",
  FILTER_BYPASSED: "with its filter bypassed",
  BRANCH_CHOSEN: "in a chosen branch",
};
