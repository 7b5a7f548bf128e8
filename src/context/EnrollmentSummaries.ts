/** Slugs of preference experiments (Normandy's `normandy.experiments`). */
export interface ExperimentSlugs {
  all: string[];
  active: string[];
  expired: string[];
}

/** Records by slug, per kind (`normandy.studies`, `normandy.rollouts`). */
export interface RecordsByKind {
  pref: Record<string, unknown>;
  addon: Record<string, unknown>;
}

/** What the enrollment stores tell filters about this client's studies and rollouts. */
export interface EnrollmentSummaries {
  experiments(): Promise<ExperimentSlugs>;
  studies(): Promise<RecordsByKind>;
  rollouts(): Promise<RecordsByKind>;
}
