/**
 * The argument schemas of every Normandy action (draft-04), as Firefox ships them in
 * toolkit/components/normandy/actions/schemas/index.sys.mjs (reference §2.1), plus the legacy names the
 * server still used. The client validates with `validateJson`, which ignores `pattern`, `minItems`,
 * `minimum`, `minLength`, `format` and `default` exactly as Normandy's validator does; they are kept here
 * because they describe what the server should accept. Note the quirks carried over on purpose:
 * `isHighPopulation` defaults to the *string* "false" (defaults are never applied, so it does not matter),
 * and `preferenceBranchType` is required in the multi-preference shape even though it has a default.
 */
import type { JsonSchema } from "./jsonSchemaValidator.js";

const DRAFT_04 = "http://json-schema.org/draft-04/schema#";
const ROLLOUT_SLUG: JsonSchema = { type: "string", pattern: "^[a-z0-9\\-_]+$" };
const BRANCH_SLUG: JsonSchema = { type: "string", pattern: "^[A-Za-z0-9\\-_]+$" };
const RATIO: JsonSchema = {
  description: "Ratio of users who should be grouped into this branch",
  type: "integer",
  minimum: 1,
};
const IS_ENROLLMENT_PAUSED: JsonSchema = {
  description: "If true, new users will not be enrolled in the study.",
  type: "boolean",
  default: true,
};
const IS_HIGH_POPULATION: JsonSchema = {
  description: "Marks the experiment as high population, excluded from certain types of telemetry",
  type: "boolean",
  default: "false",
};
const EXPERIMENT_DOCUMENT_URL: JsonSchema = { type: "string", format: "uri", default: "" };
const PREFERENCE_TYPE: JsonSchema = { type: "string", enum: ["string", "integer", "boolean"] };
const PREFERENCE_BRANCH_TYPE: JsonSchema = { type: "string", enum: ["user", "default"], default: "default" };
const PREFERENCE_VALUE: JsonSchema = { type: ["string", "number", "boolean"] };
const NON_EMPTY_STRING: JsonSchema = { type: "string", minLength: 1 };
const STRING_OR_NULL: JsonSchema = { type: ["string", "null"], default: null };

const addonStudy: JsonSchema = {
  $schema: DRAFT_04,
  title: "Enroll a user in an opt-out SHIELD study",
  type: "object",
  required: ["name", "description", "addonUrl", "extensionApiId", "isEnrollmentPaused"],
  properties: {
    name: NON_EMPTY_STRING,
    description: NON_EMPTY_STRING,
    addonUrl: { type: "string", format: "uri", minLength: 1 },
    extensionApiId: { type: "integer" },
    isEnrollmentPaused: IS_ENROLLMENT_PAUSED,
  },
};

const singlePreferenceExperiment: JsonSchema = {
  $schema: DRAFT_04,
  title: "Run a feature experiment activated by a preference.",
  type: "object",
  required: ["slug", "preferenceName", "preferenceType", "branches", "isEnrollmentPaused"],
  properties: {
    slug: BRANCH_SLUG,
    experimentDocumentUrl: EXPERIMENT_DOCUMENT_URL,
    preferenceName: { type: "string" },
    preferenceType: PREFERENCE_TYPE,
    preferenceBranchType: PREFERENCE_BRANCH_TYPE,
    isHighPopulation: IS_HIGH_POPULATION,
    isEnrollmentPaused: IS_ENROLLMENT_PAUSED,
    branches: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["slug", "value", "ratio"],
        properties: { slug: BRANCH_SLUG, value: PREFERENCE_VALUE, ratio: RATIO },
      },
    },
  },
};

export const ACTION_SCHEMAS = {
  "console-log": {
    $schema: DRAFT_04,
    title: "Log a message to the console",
    type: "object",
    required: ["message"],
    properties: { message: { description: "Message to log to the console", type: "string", default: "" } },
  },

  "preference-rollout": {
    $schema: DRAFT_04,
    title: "Change preferences permanently",
    type: "object",
    required: ["slug", "preferences"],
    properties: {
      slug: ROLLOUT_SLUG,
      preferences: {
        type: "array",
        minItems: 1,
        items: {
          type: "object",
          required: ["preferenceName", "value"],
          properties: { preferenceName: { type: "string" }, value: { type: ["string", "integer", "boolean"] } },
        },
      },
    },
  },

  "preference-rollback": {
    $schema: DRAFT_04,
    title: "Undo a preference rollout",
    type: "object",
    required: ["rolloutSlug"],
    properties: { rolloutSlug: ROLLOUT_SLUG },
  },

  "addon-study": addonStudy,
  // The legacy name the Normandy server used for the same action.
  "opt-out-study": addonStudy,

  "addon-rollout": {
    $schema: DRAFT_04,
    title: "Install add-on permanently",
    type: "object",
    required: ["extensionApiId", "slug"],
    properties: { extensionApiId: { type: "integer" }, slug: ROLLOUT_SLUG },
  },

  "addon-rollback": {
    $schema: DRAFT_04,
    title: "Undo an add-on rollout",
    type: "object",
    required: ["rolloutSlug"],
    properties: { rolloutSlug: ROLLOUT_SLUG },
  },

  "branched-addon-study": {
    $schema: DRAFT_04,
    title: "Enroll a user in an add-on experiment, with managed branches",
    type: "object",
    required: ["slug", "userFacingName", "userFacingDescription", "branches", "isEnrollmentPaused"],
    properties: {
      slug: NON_EMPTY_STRING,
      userFacingName: NON_EMPTY_STRING,
      userFacingDescription: NON_EMPTY_STRING,
      isEnrollmentPaused: IS_ENROLLMENT_PAUSED,
      branches: {
        type: "array",
        minItems: 1,
        items: {
          type: "object",
          required: ["slug", "ratio", "extensionApiId"],
          properties: {
            slug: BRANCH_SLUG,
            ratio: RATIO,
            // null: this branch installs no add-on.
            extensionApiId: { type: ["number", "null"], default: null },
          },
        },
      },
    },
  },

  "show-heartbeat": {
    $schema: DRAFT_04,
    title: "Show a Heartbeat survey.",
    type: "object",
    required: ["surveyId", "message", "thanksMessage", "postAnswerUrl", "learnMoreMessage", "learnMoreUrl"],
    properties: {
      repeatOption: { type: "string", enum: ["once", "xdays", "nag"], default: "once" },
      repeatEvery: { type: ["number", "null"], default: null },
      includeTelemetryUUID: { type: "boolean", default: false },
      surveyId: { type: "string" },
      message: { type: "string" },
      engagementButtonLabel: STRING_OR_NULL,
      thanksMessage: { type: "string" },
      postAnswerUrl: STRING_OR_NULL,
      learnMoreMessage: STRING_OR_NULL,
      learnMoreUrl: STRING_OR_NULL,
      // Beyond Normandy's schema: the survey belongs to a study (a preference or add-on study's slug) and,
      // when `branch` is set, to that branch only. It is shown only to clients enrolled in it, with the study
      // and branch on its telemetry, plus the messaging exposure and reach events (README, Telemetry).
      study: {
        type: ["object", "null"],
        default: null,
        required: ["slug"],
        properties: {
          slug: BRANCH_SLUG,
          branch: { type: ["string", "null"], pattern: "^[A-Za-z0-9\\-_]+$", default: null },
        },
      },
    },
  },

  "multi-preference-experiment": {
    $schema: DRAFT_04,
    title: "Run a feature experiment activated by a set of preferences.",
    type: "object",
    required: ["slug", "userFacingName", "userFacingDescription", "branches", "isEnrollmentPaused"],
    properties: {
      slug: BRANCH_SLUG,
      userFacingName: NON_EMPTY_STRING,
      userFacingDescription: NON_EMPTY_STRING,
      experimentDocumentUrl: EXPERIMENT_DOCUMENT_URL,
      isHighPopulation: IS_HIGH_POPULATION,
      isEnrollmentPaused: IS_ENROLLMENT_PAUSED,
      branches: {
        type: "array",
        minItems: 1,
        items: {
          type: "object",
          required: ["slug", "ratio", "preferences"],
          properties: {
            slug: BRANCH_SLUG,
            ratio: RATIO,
            preferences: {
              description: "The preferences to set if this branch is chosen, by name",
              type: "object",
              patternProperties: {
                ".*": {
                  type: "object",
                  required: ["preferenceType", "preferenceBranchType", "preferenceValue"],
                  properties: {
                    preferenceType: PREFERENCE_TYPE,
                    preferenceBranchType: PREFERENCE_BRANCH_TYPE,
                    preferenceValue: PREFERENCE_VALUE,
                  },
                },
              },
            },
          },
        },
      },
    },
  },

  "single-preference-experiment": singlePreferenceExperiment,
  // The name the Normandy server used for single-preference experiments.
  "preference-experiment": singlePreferenceExperiment,
} satisfies Record<string, JsonSchema>;

export type ActionName = keyof typeof ACTION_SCHEMAS;
