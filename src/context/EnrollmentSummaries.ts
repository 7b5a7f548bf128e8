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

/** No stores yet: no experiments, studies or rollouts. */
export const NO_ENROLLMENTS: EnrollmentSummaries = {
  experiments: async () => ({ all: [], active: [], expired: [] }),
  studies: async () => ({ pref: {}, addon: {} }),
  rollouts: async () => ({ pref: {}, addon: {} }),
};
