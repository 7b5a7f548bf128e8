/**
 * A client's enrollments as its telemetry tells them: Normandy's enrollment events (category `normandy`)
 * replayed in the order they arrived, each marked when QA forced it from the add-on's console ("Run here":
 * the `qa` client pings name the enrollment id). Pure; only what the client already reports to the intake is read.
 */
import { NORMANDY_EVENT_CATEGORY, RUN_HERE_MODE_WORDS, type RunHereMode } from "../src/core/index.js";
import type { ReceivedEvent } from "./intakeStore.js";

/** The kinds of enrollment the events are about (their `object`). */
export type EnrollmentKind = "preference_study" | "addon_study" | "preference_rollout" | "addon_rollout";

export interface ClientEnrollment {
  kind: EnrollmentKind;
  slug: string;
  /** What the latest event says: `active`, or how it ended (`unenrolled: <reason>`, `graduated`, …). */
  state: string;
  active: boolean;
  /** The branch the client is (or was) on, when the events name one. */
  branch?: string;
  /** The enrollment id its events carry (`extra.enrollmentId`), when they carry one. */
  enrollmentId?: string;
  /** How QA forced this enrollment from the console, when it did (a `qa/FORCED_ENROLLMENT` ping). */
  forcedByQa?: RunHereMode;
  /** The enrollment's events, oldest first. */
  events: ReceivedEvent[];
}

/** Rollbacks are reported under their own object; they end the rollout of the same slug. */
const ROLLBACK_OF: Readonly<Record<string, EnrollmentKind>> = {
  preference_rollback: "preference_rollout",
  addon_rollback: "addon_rollout",
};
const KINDS: readonly string[] = ["preference_study", "addon_study", "preference_rollout", "addon_rollout"];

/**
 * `events` newest first, as the intake store lists them; the result: active ones first, then the newest.
 * `qaPings`: the client's `qa` pings (any order); they mark the enrollments QA forced and the ones QA undid.
 */
export function clientEnrollments(
  events: readonly ReceivedEvent[],
  qaPings: readonly ReceivedEvent[] = [],
): ClientEnrollment[] {
  const enrollments = new Map<string, ClientEnrollment>();
  for (const event of [...events].reverse()) {
    if (event.category !== NORMANDY_EVENT_CATEGORY || event.value === null) continue;
    const kind = ROLLBACK_OF[event.object] ?? event.object;
    if (!KINDS.includes(kind)) continue;
    const key = `${kind}\u0000${event.value}`;
    const existing = enrollments.get(key);
    // An enroll starts a new enrollment, even of a slug seen before.
    const enrollment =
      existing && event.method !== "enroll"
        ? existing
        : {
            kind: kind as EnrollmentKind,
            slug: event.value,
            state: "reported without its enrollment",
            active: false,
            events: [],
          };
    enrollments.delete(key);
    enrollments.set(key, enrollment); // re-inserted: the map keeps the most recently touched last
    enrollment.events.push(event);
    enrollment.branch = event.extra?.["branch"] ?? enrollment.branch;
    enrollment.enrollmentId = event.extra?.["enrollmentId"] ?? enrollment.enrollmentId;
    applyEvent(enrollment, event);
  }
  for (const enrollment of enrollments.values()) markQaActions(enrollment, qaPings);
  const newestFirst = [...enrollments.values()].reverse();
  return [
    ...newestFirst.filter((enrollment) => enrollment.active),
    ...newestFirst.filter((enrollment) => !enrollment.active),
  ];
}

/** QA's pings about this enrollment (matched by enrollment id): how it was forced, and whether QA undid it. */
function markQaActions(enrollment: ClientEnrollment, qaPings: readonly ReceivedEvent[]): void {
  if (!enrollment.enrollmentId) return;
  const about = (object: string) =>
    qaPings.find((ping) => ping.object === object && ping.extra?.["enrollment_id"] === enrollment.enrollmentId);
  const forced = about("FORCED_ENROLLMENT");
  if (forced && isRunHereMode(forced.value)) enrollment.forcedByQa = forced.value;
  // The study's own unenroll event says "qa-undo"; the ping says who and how, so it is the end reason shown.
  if (about("FORCED_UNDO") && !enrollment.active) enrollment.state = "undone by QA from the add-on's console";
}

function isRunHereMode(value: string | null): value is RunHereMode {
  return value !== null && Object.hasOwn(RUN_HERE_MODE_WORDS, value);
}

/** "forced by QA with its filter bypassed": how a forced enrollment is marked wherever it shows. */
export function forcedByQaLabel(mode: RunHereMode): string {
  return `forced by QA ${RUN_HERE_MODE_WORDS[mode]}`;
}

function applyEvent(enrollment: ClientEnrollment, { method, object, extra }: ReceivedEvent): void {
  const reason = extra?.["reason"];
  const because = reason ? `: ${reason}` : "";
  switch (method) {
    case "enroll":
    case "update":
      enrollment.active = true;
      enrollment.state = "active";
      return;
    case "enrollFailed":
      enrollment.active = false;
      enrollment.state = `enrollment failed${because}`;
      return;
    case "unenroll":
      enrollment.active = false;
      enrollment.state = object in ROLLBACK_OF ? "rolled back" : `unenrolled${because}`;
      return;
    case "graduate":
      enrollment.active = false;
      enrollment.state = `graduated${because}`;
      return;
    default:
      // updateFailed, unenrollFailed, expPrefChanged: listed with the enrollment, its state unchanged.
      return;
  }
}
