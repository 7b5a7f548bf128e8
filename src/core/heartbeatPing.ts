/**
 * Firefox's own `heartbeat` Glean ping (toolkit/components/normandy, ESR 153: `Glean.heartbeat.*` and
 * `GleanPings.heartbeat`), sent once per survey when it ends, as Heartbeat.sys.mjs sends it: the flow id,
 * the survey id and when each step happened. Pure, shared by the parent script and the fake, so both refuse
 * the same pings.
 */

/**
 * When each step of one survey happened, in ms since the epoch; absent when it did not (optional rather than
 * null: the schema contract compares optional properties, and Glean leaves an unset metric out of the ping).
 */
export interface HeartbeatPing {
  /** The survey's flow id, a v4 UUID. */
  flowId: string;
  /** Normandy's survey id: the recipe's `surveyId`, with `::<userId>` only under `includeTelemetryUUID`. */
  surveyId: string;
  offered: number;
  learnMore?: number;
  engaged?: number;
  voted?: number;
  /** The star rating, 1–5; absent for the engagement button or no answer. */
  score?: number;
  expired?: number;
  closed?: number;
  windowClosed?: number;
}

export const HEARTBEAT_PING_TIMES = [
  "offered",
  "learnMore",
  "engaged",
  "voted",
  "expired",
  "closed",
  "windowClosed",
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Why `ping` may not be submitted, or null when it may. */
export function heartbeatPingProblem(ping: HeartbeatPing): string | null {
  if (!UUID.test(ping.flowId)) return "Refused heartbeat ping: flowId must be a lower-case UUID";
  if (typeof ping.surveyId !== "string" || ping.surveyId === "")
    return "Refused heartbeat ping: surveyId must be a non-empty string";
  for (const name of HEARTBEAT_PING_TIMES) {
    const time = ping[name];
    if (name === "offered" ? !isTime(time) : time != null && !isTime(time)) {
      return `Refused heartbeat ping: ${name} must be ms since the epoch${name === "offered" ? "" : " or absent"}`;
    }
  }
  if (ping.score != null && !(Number.isInteger(ping.score) && ping.score >= 1 && ping.score <= 5)) {
    return "Refused heartbeat ping: score must be 1 to 5 or absent";
  }
  return null;
}

function isTime(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}
