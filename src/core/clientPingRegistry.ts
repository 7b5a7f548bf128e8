/**
 * The registry of the client's own pings, shaped like Activity Stream's (`event`, `value`, and a few more
 * fields): health (once per start: can the client run?), performance (per run: how long each stage took),
 * run results (per run: the runner's status, and each recipe's suitability and status), messaging (the heartbeat
 * survey bar's events) and undesired events (the client could not start, a filter could not be evaluated). For
 * each ping type:
 * its events, and for each event the values `value` may take and the other fields it carries, each with the
 * values it may take. Every value is a string, and every field is either one of a listed set of words or a
 * short number, UUID, locale tag or version: no rule admits a URL, a search, a history entry or a preference
 * value. Pure data, imported by the parent script and by `src/`, so both refuse exactly the same pings.
 */
import { SUITABILITIES } from "./suitability.js";
import { UPTAKE_STATUSES } from "./uptakeStatus.js";

/** What a field (or `value`) may hold: one of the listed words, or text the anchored pattern matches. */
export type FieldRule = { readonly oneOf: readonly string[] } | { readonly pattern: RegExp; readonly means: string };

export interface PingEventRule {
  readonly value: FieldRule;
  /** The ping's other fields, all required. */
  readonly fields: Readonly<Record<string, FieldRule>>;
}

export interface PingTypeRule {
  /** The Glean event metric (category `recipe_client`) each ping is recorded to; also its event-log category. */
  readonly metric: string;
  readonly events: Readonly<Record<string, PingEventRule>>;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID: FieldRule = { pattern: UUID_PATTERN, means: "a lower-case UUID" };

/** Whether `text` is a lower-case UUID, the only kind of id a ping field takes. */
export function isLowerCaseUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}
const LOCALE: FieldRule = { pattern: /^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, means: "a locale tag such as en-US" };
const VERSION: FieldRule = {
  pattern: /^[0-9]{1,9}(\.[0-9]{1,9}){0,3}([a-z]{1,5}[0-9]{0,9})?$/,
  means: "a version such as 1.2.0 or 1.0b3",
};
/** Milliseconds or a count; ten digits are more than any run or collection can need. */
const WHOLE_NUMBER: FieldRule = { pattern: /^(0|[1-9][0-9]{0,9})$/, means: "a whole number of at most 10 digits" };

/** Firefox's update channels (`UpdateUtils.getUpdateChannel(false)`); any other is reported as `other`. */
export const RELEASE_CHANNELS = ["release", "esr", "beta", "aurora", "nightly", "default", "other"] as const;
export type ReleaseChannel = (typeof RELEASE_CHANNELS)[number];

/**
 * Whether the client can run, most restrictive first: `extensions.recipeclient.enabled` is false; an
 * enterprise policy blocks studies; no trusted root is configured, so nothing can be verified; the user opted
 * out of studies (rollouts still run); or none of these.
 */
export const CLIENT_STATUSES = [
  "DISABLED_BY_PREF",
  "DISABLED_BY_POLICY",
  "NOT_CONFIGURED",
  "OPTED_OUT",
  "ENABLED",
] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];

/** The start-up steps of the background page; `ADDON_INIT_FAILED` names the one that failed. */
export const STARTUP_STEPS = [
  "PREFERENCE_ROLLOUTS",
  "ADDON_ROLLOUTS",
  "PREFERENCE_STUDIES",
  "ADDON_STUDIES",
  "STUDIES_OPT_OUT",
] as const;
export type StartupStep = (typeof STARTUP_STEPS)[number];

/** A filter that does not parse, or one that threw while it was evaluated (a failing attribute included). */
export const TARGETING_ERRORS = ["MALFORMED_EXPRESSION", "OTHER_ERROR"] as const;
export type TargetingError = (typeof TARGETING_ERRORS)[number];

/** One performance ping per run stage, and one for the whole run; `value` is in whole milliseconds. */
export const PERFORMANCE_EVENTS = [
  "RUN_TOTAL",
  "RUN_FETCH",
  "RUN_VERIFY",
  "RUN_CONTEXT",
  "RUN_FILTER",
  "RUN_ACTIONS",
  "RUN_REPORT",
] as const;
export type PerformanceEvent = (typeof PERFORMANCE_EVENTS)[number];

const PERFORMANCE_EVENT_RULE: PingEventRule = { value: WHOLE_NUMBER, fields: { recipe_count: WHOLE_NUMBER } };

// --- Messaging: the heartbeat survey's events (messaging telemetry; Activity Stream Router ping fields) ---

/** The surface's events: the four interactions, the two other ways a survey ends, and exposure and reach. */
export const MESSAGING_EVENTS = [
  "IMPRESSION",
  "CLICK_BUTTON",
  "LEARN_MORE",
  "DISMISS",
  "EXPIRED",
  "WINDOW_CLOSED",
  "EXPOSURE",
  "REACH",
] as const;
export type MessagingEvent = (typeof MESSAGING_EVENTS)[number];
/** Activity Stream's placeholder for a field that does not apply (no study, no impression). */
export const NOT_APPLICABLE = "n/a";
/**
 * A message id (a survey id) or a study or branch slug: at most 64 letters, digits, `-` and `_` (a slug's
 * characters), starting with a letter or digit and holding at least one letter, and not `true` or `false`;
 * so never a URL, a path, a pref name, a number or a sentence.
 */
const SLUG_BODY = "(?!(?:true|false)$)(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_-]{0,63}";
export const MESSAGING_IDENTIFIER = new RegExp(`^${SLUG_BODY}$`);
export const SLUG: FieldRule = {
  pattern: MESSAGING_IDENTIFIER,
  means: "a slug (letters, digits, - and _, at most 64)",
};
export const SLUG_OR_NA: FieldRule = { pattern: new RegExp(`^(?:n/a|${SLUG_BODY})$`), means: "a slug or n/a" };
const UUID_OR_NA: FieldRule = {
  pattern: /^(n\/a|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
  means: "a lower-case UUID or n/a",
};
/** A star rating, or ENGAGED for the engagement button. */
export const SURVEY_ANSWERS = ["1", "2", "3", "4", "5", "ENGAGED"] as const;

/**
 * Every messaging ping carries the same fields: the client id, the survey's flow id as `impression_id`
 * (n/a for reach: nothing was shown), the message id, and the study and branch the message belongs to (n/a
 * when it belongs to none).
 */
const MESSAGING_FIELDS: Readonly<Record<string, FieldRule>> = {
  client_id: UUID,
  action: { oneOf: ["heartbeat_user_event"] },
  impression_id: UUID_OR_NA,
  addon_version: VERSION,
  locale: LOCALE,
  source: { oneOf: ["HEARTBEAT"] },
  message_id: SLUG,
  experiment: SLUG_OR_NA,
  branch: SLUG_OR_NA,
};
const MESSAGING_EVENT_RULE: PingEventRule = { value: { oneOf: [NOT_APPLICABLE] }, fields: MESSAGING_FIELDS };
const MESSAGING_PING_EVENTS = {
  ...(Object.fromEntries(MESSAGING_EVENTS.map((event) => [event, MESSAGING_EVENT_RULE])) as Record<
    MessagingEvent,
    PingEventRule
  >),
  CLICK_BUTTON: { value: { oneOf: SURVEY_ANSWERS }, fields: MESSAGING_FIELDS },
};

// --- end of messaging ---

// --- QA: what QA did to this client from the console's "Run here", outside the normal runs ---

/**
 * How a recipe was run here: through its filter and the usual branch choice, with its filter bypassed, or in a
 * branch QA chose (which bypasses the filter too).
 */
export const RUN_HERE_MODES = ["AS_IS", "FILTER_BYPASSED", "BRANCH_CHOSEN"] as const;
export type RunHereMode = (typeof RUN_HERE_MODES)[number];

/** The study a forced enrollment concerns: its recipe, slug, branch and enrollment id (as in its enroll event). */
const FORCED_ENROLLMENT_FIELDS: Readonly<Record<string, FieldRule>> = {
  recipe_id: WHOLE_NUMBER,
  // The messaging rule: a slug holding a letter, so that no number or true/false (a pref value) fits. A study
  // slug outside it (all digits, over 64 characters) still runs here; its mark is then not recorded, with a warning.
  experiment: SLUG,
  // n/a for a rollout, which has no branches.
  branch: SLUG_OR_NA,
  enrollment_id: UUID_OR_NA,
};

// --- end of QA ---

export const CLIENT_PINGS = {
  health: {
    metric: "health",
    events: {
      RECIPE_CLIENT_STATUS: {
        value: { oneOf: CLIENT_STATUSES },
        fields: { client_id: UUID, locale: LOCALE, version: VERSION, release_channel: { oneOf: RELEASE_CHANNELS } },
      },
    },
  },
  performance: {
    metric: "performance",
    events: Object.fromEntries(PERFORMANCE_EVENTS.map((event) => [event, PERFORMANCE_EVENT_RULE])) as Record<
      PerformanceEvent,
      PingEventRule
    >,
  },
  run: {
    metric: "run",
    events: {
      // The runner's own uptake status; sent, like the performance pings, for every run that started.
      RUN_RESULT: { value: { oneOf: UPTAKE_STATUSES }, fields: { recipe_count: WHOLE_NUMBER } },
      // One per recipe of that run: its uptake status, and the suitability that explains it. The reason text
      // the QA console shows stays on the client: it may quote server answers or pref values.
      RECIPE_RESULT: {
        value: { oneOf: UPTAKE_STATUSES },
        fields: { recipe_id: WHOLE_NUMBER, suitability: { oneOf: SUITABILITIES } },
      },
    },
  },
  messaging: {
    metric: "messaging",
    events: MESSAGING_PING_EVENTS,
  },
  qa: {
    metric: "qa",
    events: {
      // Recorded right after the study's own enroll event, so every report of that enrollment can be marked
      // "forced by QA" by its enrollment id; FORCED_UNDO right after the unenroll event of QA's undo.
      FORCED_ENROLLMENT: { value: { oneOf: RUN_HERE_MODES }, fields: FORCED_ENROLLMENT_FIELDS },
      FORCED_UNDO: { value: { oneOf: [NOT_APPLICABLE] }, fields: FORCED_ENROLLMENT_FIELDS },
    },
  },
  undesired: {
    metric: "undesired",
    events: {
      ADDON_INIT_FAILED: { value: { oneOf: STARTUP_STEPS }, fields: {} },
      TARGETING_EXPRESSION_ERROR: { value: { oneOf: TARGETING_ERRORS }, fields: { recipe_id: WHOLE_NUMBER } },
    },
  },
} as const satisfies Record<string, PingTypeRule>;

export type ClientPingType = keyof typeof CLIENT_PINGS;
export const CLIENT_PING_TYPES = Object.keys(CLIENT_PINGS) as ClientPingType[];
/** The events of ping type `Type` (of each type, for a union). */
export type ClientPingEvent<Type extends ClientPingType = ClientPingType> = Type extends ClientPingType
  ? keyof (typeof CLIENT_PINGS)[Type]["events"] & string
  : never;

/** The Glean category of every metric the add-on registers: uptake, the ping events, the timing distributions. */
export const ADDON_GLEAN_CATEGORY = "recipe_client";

/** The event-log category of a ping type: its Glean metric's full name, e.g. `recipe_client.health`. */
export function clientPingCategory(type: ClientPingType): string {
  return `${ADDON_GLEAN_CATEGORY}.${CLIENT_PINGS[type].metric}`;
}

/** The Glean timing distribution (category `recipe_client`) a performance event also goes to: `run_fetch`, …. */
export function timingMetricName(event: PerformanceEvent): string {
  return event.toLowerCase();
}

/** Every field a ping of `type` may carry, `event` and `value` first: its Glean event's extra keys. */
export function clientPingFieldNames(type: ClientPingType): string[] {
  const events: Readonly<Record<string, PingEventRule>> = CLIENT_PINGS[type].events;
  return ["event", "value", ...new Set(Object.values(events).flatMap((rule) => Object.keys(rule.fields)))];
}
