/**
 * A client's enrollments as its telemetry tells them: Normandy's enrollment events (category `normandy`)
 * replayed in the order they arrived. Pure; only what the client already reports to the intake is read.
 */
import { NORMANDY_EVENT_CATEGORY } from "../src/core/index.js";
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
  /** The enrollment's events, oldest first. */
  events: ReceivedEvent[];
}

/** Rollbacks are reported under their own object; they end the rollout of the same slug. */
const ROLLBACK_OF: Readonly<Record<string, EnrollmentKind>> = {
  preference_rollback: "preference_rollout",
  addon_rollback: "addon_rollout",
};
const KINDS: readonly string[] = ["preference_study", "addon_study", "preference_rollout", "addon_rollout"];

/** `events` newest first, as the intake store lists them; the result: active ones first, then the newest. */
export function clientEnrollments(events: readonly ReceivedEvent[]): ClientEnrollment[] {
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
    applyEvent(enrollment, event);
  }
  const newestFirst = [...enrollments.values()].reverse();
  return [
    ...newestFirst.filter((enrollment) => enrollment.active),
    ...newestFirst.filter((enrollment) => !enrollment.active),
  ];
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
