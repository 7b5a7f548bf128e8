/**
 * Crash safety for add-on changes. A record that owns an add-on (a study's, a rollout's) announces every
 * change to that add-on before making it, and clears the announcement once the change is done, so a crash
 * (or Firefox being killed) at any moment leaves a record that says what may have been half done:
 *
 * - `install` is written before the download starts (the record then names the version being installed,
 *   `previous` the add-on fields it had before, null when the record is new) and cleared once Firefox has
 *   installed the add-on and the change's success event (`enroll`, `update`) is recorded. An add-on is
 *   therefore never installed without a record, and never without its event.
 * - `uninstall` is written together with the end of the record and cleared once the add-on is gone. An
 *   ended record therefore never leaves its add-on behind.
 *
 * At start-up, before any run, each pending change is settled by what Firefox has installed:
 * - install: if the add-on is installed at the version the record names, the install happened; it is
 *   completed: its success event is recorded, unless it already was just before the crash (the event log's
 *   newest event of that record is that very event: EnrollmentTelemetry.recordEventOnce), so it is recorded
 *   exactly once; then the change is cleared. Otherwise it did not happen and is undone:
 *   a new record is deleted (it was never reported; the next run may enroll again), an updated record gets
 *   its previous fields back (the next run retries the update).
 * - uninstall: the add-on is uninstalled if it is still there (a rollback's `unenroll` event, recorded before
 *   the change is cleared, is recorded once the same way. A study's `unenroll` is recorded right after its
 *   record ends, outside this scheme: a crash between the two loses it).
 */
export type PendingAddonChange<AddonFields> = { kind: "install"; previous: AddonFields | null } | { kind: "uninstall" };

/** Whether a pending install happened: the add-on is installed, at the version the record names. */
export function pendingInstallHappened(installed: { version: string } | undefined, version: string | null): boolean {
  return installed !== undefined && installed.version === version;
}

/** Whether a stored value is a pending change (or null, none): what a store checks when it loads a record. */
export function isPendingChange(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== "object" || Array.isArray(value)) return false;
  const change = value as { kind?: unknown; previous?: unknown };
  return (
    change.kind === "uninstall" ||
    (change.kind === "install" && (change.previous === null || typeof change.previous === "object"))
  );
}
