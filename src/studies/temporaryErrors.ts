/** How long signature errors, filter errors or an empty recipe list may last before a study ends. */
export const TEMPORARY_ERROR_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

/** What one more temporary error means for a study whose deadline is as given. */
export type TemporaryErrorStep = { kind: "set-deadline"; deadline: string } | { kind: "wait" } | { kind: "end" };

/**
 * Normandy's `_considerTemporaryError`: a temporary error keeps a study for 7 days from the first one (by
 * the client's clock); after the deadline the next error ends it. No deadline, or an unreadable one,
 * starts a new one.
 */
export function temporaryErrorStep(deadline: string | null, now: Date): TemporaryErrorStep {
  const due = deadline === null ? Number.NaN : new Date(deadline).getTime();
  if (Number.isNaN(due))
    return { kind: "set-deadline", deadline: new Date(now.getTime() + TEMPORARY_ERROR_GRACE_MS).toJSON() };
  return now.getTime() > due ? { kind: "end" } : { kind: "wait" };
}
