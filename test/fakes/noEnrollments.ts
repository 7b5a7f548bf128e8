import type { EnrollmentSummaries } from "../../src/context/EnrollmentSummaries.js";

/** A client with no experiments, studies or rollouts. */
export const NO_ENROLLMENTS: EnrollmentSummaries = {
  experiments: async () => ({ all: [], active: [], expired: [] }),
  studies: async () => ({ pref: {}, addon: {} }),
  rollouts: async () => ({ pref: {}, addon: {} }),
};
