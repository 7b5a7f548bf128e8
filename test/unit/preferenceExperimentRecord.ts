import type { PreferenceExperiment } from "../../src/stores/PreferenceExperimentStore.js";

/** A stored preference experiment under `slug`: active, on "control", one default-branch pref; `overrides` replace fields. */
export function preferenceExperimentRecord(
  slug: string,
  overrides: Partial<PreferenceExperiment> = {},
): PreferenceExperiment {
  return {
    slug,
    actionName: "PreferenceExperimentAction",
    branch: "control",
    expired: false,
    lastSeen: "2026-03-01T12:00:00.000Z",
    preferences: {
      "a.pref": {
        preferenceValue: 1,
        preferenceType: "integer",
        previousPreferenceValue: null,
        preferenceBranchType: "default",
        overridden: false,
      },
    },
    experimentType: "exp",
    userFacingName: "Name",
    userFacingDescription: "Description",
    temporaryErrorDeadline: null,
    enrollmentId: `id-${slug}`,
    ...overrides,
  };
}
