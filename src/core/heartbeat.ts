/**
 * The rules of Normandy's `show-heartbeat` action that need no browser (ShowHeartbeatAction.sys.mjs and
 * Heartbeat.sys.mjs, reference §2.6): whether a survey may be shown now, the survey id, the post-answer URL
 * with Normandy's query parameters, and who a survey bound to a study is for.
 */
import { MESSAGING_IDENTIFIER } from "./clientPingRegistry.js";

export const DAY_MS = 24 * 60 * 60 * 1000;
/** No survey at all while any survey was shown less than this long ago (Normandy's HEARTBEAT_THROTTLE). */
export const HEARTBEAT_THROTTLE_MS = DAY_MS;
/** After an answer the bar shows the thanks message this long, then closes (Normandy's NOTIFICATION_TIME). */
export const THANKS_DISPLAY_MS = 3000;
/** Seconds a survey stays up unanswered when `browser.uitour.surveyDuration` is not set (Normandy's default). */
export const DEFAULT_SURVEY_DURATION_SECONDS = 300;
export const SURVEY_DURATION_PREF = "browser.uitour.surveyDuration";

export type RepeatOption = "once" | "xdays" | "nag";

/** The arguments of a `show-heartbeat` recipe, as the action's schema parses them (no defaults applied). */
export interface HeartbeatArguments {
  surveyId: string;
  message: string;
  thanksMessage: string;
  engagementButtonLabel?: string | null;
  postAnswerUrl: string | null;
  learnMoreMessage: string | null;
  learnMoreUrl: string | null;
  repeatOption?: RepeatOption;
  repeatEvery?: number | null;
  includeTelemetryUUID?: boolean;
  study?: { slug: string; branch?: string | null } | null;
}

/** When a survey (one recipe) was last shown and last answered, in ms since the epoch. */
export interface SurveyTimes {
  lastShown: number | null;
  lastInteraction: number | null;
}

export type ShowDecision = { show: true } | { show: false; reason: string };

/**
 * Whether a survey may be shown `now`. `anyLastShown` is the latest time any survey was shown. As Normandy:
 * the 24-hour throttle across surveys first; then `once` never again, `xdays` again `repeatEvery` days after
 * this survey was last shown. Deliberate differences: `xdays` counts from this survey's own last showing
 * (Normandy's current code reads the latest of any survey, which the throttle already covers), and `nag`
 * shows the survey again (after the throttle) until the user answers it, as Normandy did before it disabled
 * `nag` outright (bug 1967853, about several profiles nagging at once, which cannot happen to one add-on).
 */
export function shouldShowSurvey(
  args: Pick<HeartbeatArguments, "repeatOption" | "repeatEvery">,
  own: SurveyTimes,
  anyLastShown: number | null,
  now: number,
): ShowDecision {
  if (anyLastShown !== null && now - anyLastShown < HEARTBEAT_THROTTLE_MS) {
    return { show: false, reason: `a survey was shown ${hoursAgo(now - anyLastShown)} hours ago (at most one a day)` };
  }
  switch (args.repeatOption ?? "once") {
    case "once":
      if (own.lastShown !== null) return { show: false, reason: "this survey was shown before (repeatOption once)" };
      return { show: true };
    case "nag":
      if (own.lastInteraction !== null) return { show: false, reason: "this survey was answered (repeatOption nag)" };
      return { show: true };
    case "xdays": {
      const days = args.repeatEvery ?? 0;
      if (own.lastShown !== null && now - own.lastShown < days * DAY_MS) {
        return {
          show: false,
          reason: `this survey was shown ${hoursAgo(now - own.lastShown)} hours ago (repeatEvery ${days} days)`,
        };
      }
      return { show: true };
    }
  }
}

/** Hours with at most one decimal, rounded down, as Normandy logs them. */
function hoursAgo(ms: number): number {
  return Math.floor(ms / 1000 / 60 / 6) / 10;
}

/** The survey id Firefox's heartbeat ping carries: `<surveyId>::<userId>` only with `includeTelemetryUUID`. */
export function surveyIdFor(
  args: Pick<HeartbeatArguments, "surveyId" | "includeTelemetryUUID">,
  userId: string,
): string {
  return args.includeTelemetryUUID ? `${args.surveyId}::${userId}` : args.surveyId;
}

/** What Normandy puts in the post-answer URL about the client. */
export interface PostAnswerFacts {
  /** `Services.appinfo.version`. */
  firefoxVersion: string;
  isDefaultBrowser: boolean;
  searchEngine: string | null;
  syncSetup: boolean;
  updateChannel: string;
  /** `normandy.userId`: added only with `includeTelemetryUUID`. */
  userId: string;
}

/**
 * The post-answer URL with Normandy's query parameters, each added only when the URL does not have it
 * already; null when there is no URL. Throws on a URL that does not parse (Normandy's `new URL` does too,
 * failing the recipe) and, deliberately, on one that is not http(s): it opens in a tab of the user's window.
 */
export function postAnswerUrlFor(
  args: Pick<HeartbeatArguments, "postAnswerUrl" | "message" | "includeTelemetryUUID">,
  action: string,
  facts: PostAnswerFacts,
): string | null {
  if (!args.postAnswerUrl) return null;
  const url = webUrl(args.postAnswerUrl, "postAnswerUrl");
  const params: [string, string][] = [
    ["fxVersion", facts.firefoxVersion],
    ["isDefaultBrowser", facts.isDefaultBrowser ? "1" : "0"],
    ["searchEngine", String(facts.searchEngine)],
    ["source", "heartbeat"],
    // Once the heartbeat action's own version on the server; Normandy keeps it as Firefox's version.
    ["surveyversion", facts.firefoxVersion],
    ["syncSetup", facts.syncSetup ? "1" : "0"],
    ["updateChannel", facts.updateChannel],
    // Encoded here and again by searchParams, as Normandy does: "Hello, World!" is read back as "Hello%2CWorld!".
    ["utm_campaign", encodeURIComponent(args.message.replace(/\s+/g, ""))],
    ["utm_medium", action],
    ["utm_source", "firefox"],
  ];
  if (args.includeTelemetryUUID) params.push(["userId", facts.userId]);
  for (const [key, value] of params) if (!url.searchParams.has(key)) url.searchParams.set(key, value);
  return url.toString();
}

/** The answer, as Normandy appends it to the post-answer URL when the user answers. */
export type SurveyAnswer = { type: "stars"; score: number } | { type: "button" };

/** The post-answer URL with the answer appended (`type`, `score` for stars, `flowId`), as Heartbeat.sys.mjs does. */
export function answeredUrl(postAnswerUrl: string, answer: SurveyAnswer, flowId: string): string {
  const url = new URL(postAnswerUrl);
  url.searchParams.append("type", answer.type);
  if (answer.type === "stars") url.searchParams.append("score", String(answer.score));
  url.searchParams.append("flowId", flowId);
  return url.toString();
}

/** The learn-more link, or null: Heartbeat shows none without a message or with a URL that does not parse. */
export function learnMoreLink(
  args: Pick<HeartbeatArguments, "learnMoreMessage" | "learnMoreUrl">,
): { message: string; url: string } | null {
  if (!args.learnMoreMessage || !args.learnMoreUrl) return null;
  const url = parseUrl(args.learnMoreUrl);
  // Deliberately http(s) only: Firefox opens the link itself, in the user's window.
  if (url === null || !/^https?:$/.test(url.protocol)) return null;
  return { message: args.learnMoreMessage, url: url.toString() };
}

/** `URL.parse`, which Node 20 lacks. */
function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function webUrl(text: string, name: string): URL {
  const url = parseUrl(text);
  if (url === null) throw new Error(`${name} is not a URL: ${JSON.stringify(text)}`);
  if (!/^https?:$/.test(url.protocol)) throw new Error(`${name} must be an http or https URL, got ${url.protocol}`);
  return url;
}

/**
 * The message id the survey's telemetry carries: its `surveyId` when that is a short identifier, otherwise
 * `recipe-<id>` (a surveyId is free text to Normandy, and telemetry must not carry free text).
 */
export function messageIdFor(surveyId: string, recipeId: number): string {
  return MESSAGING_IDENTIFIER.test(surveyId) ? surveyId : `recipe-${recipeId}`;
}

/**
 * Who a survey is for, given the branch this client is enrolled in for the survey's study (null: not
 * enrolled, or the survey names no study): `show` it, count a `reach` (the client is in another branch of
 * the study, so it would have seen it in that branch: messaging telemetry), or `none` (enrolled in nothing).
 */
export function surveyAudience(
  study: HeartbeatArguments["study"],
  enrolledBranch: string | null,
): "show" | "reach" | "none" {
  if (!study) return "show";
  if (enrolledBranch === null) return "none";
  if (!study.branch || study.branch === enrolledBranch) return "show";
  return "reach";
}

/**
 * Why a survey's study binding cannot be used, or null: its events carry the study and branch slugs, so they
 * must be slugs telemetry can carry (the messaging registry's rule).
 */
export function studyBindingProblem(study: HeartbeatArguments["study"]): string | null {
  if (!study) return null;
  for (const [name, slug] of [
    ["study.slug", study.slug],
    ["study.branch", study.branch],
  ] as const) {
    if (slug != null && !MESSAGING_IDENTIFIER.test(slug))
      return `${name} ${JSON.stringify(slug)} is not a slug telemetry can carry`;
  }
  return null;
}
