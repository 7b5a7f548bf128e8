/**
 * The batches of the telemetry API (uptake reports, recipe freshness) travel as two columns that must pair up
 * one to one. Shared by the parent script and the in-memory fake, so both refuse the same batches.
 */
export function columnsProblem(
  nameA: string,
  columnA: readonly unknown[],
  nameB: string,
  columnB: readonly unknown[],
): string | null {
  if (columnA.length === columnB.length) return null;
  return `${nameA} and ${nameB} must be as long as each other (${columnA.length} and ${columnB.length}): nothing was recorded`;
}
