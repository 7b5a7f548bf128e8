/**
 * The events the add-on logs locally and uploads to the intake, in the event format (eventFormat.ts): Normandy's
 * enrollment events, the legacy uptake events, and the client's own pings. `loggedEventProblem` says whether an
 * event is one the registries allow; the intake checks every uploaded event with it, and the privacy suite
 * checks the local log and the intake with it.
 */
import { ADDON_GLEAN_CATEGORY, clientPingCategory, type ClientPingType } from "./clientPingRegistry.js";
import { clientPingProblem } from "./clientPingValidation.js";
import { NORMANDY_EVENT_CATEGORY } from "./eventRegistry.js";
import { normandyEventProblem } from "./eventValidation.js";
import { UPTAKE_STATUSES, type UptakeStatus } from "./uptakeStatus.js";
import type { EventRecord } from "./eventFormat.js";

/** Normandy's legacy uptake events: category `uptake.remotecontent.result`, method `uptake`, object `normandy`. */
export const UPTAKE_EVENT_CATEGORY = "uptake.remotecontent.result";
export const UPTAKE_EVENT_METHOD = "uptake";
const UPTAKE_SOURCE = /^normandy\/(runner|recipe\/\d+|action\/\w+)$/;

/** One uptake status for its source (`normandy/runner`, `normandy/recipe/<id>`, `normandy/action/<Class>`). */
export function uptakeEvent(timestamp: number, source: string, status: UptakeStatus): EventRecord {
  return [timestamp, UPTAKE_EVENT_CATEGORY, UPTAKE_EVENT_METHOD, "normandy", status, { source }];
}

/** Why `event` is not one the registries allow, or null when it is. */
export function loggedEventProblem([, category, method, object, value, extra]: EventRecord): string | null {
  if (category === NORMANDY_EVENT_CATEGORY) return normandyEventProblem(method, object, value, extra);
  if (category === UPTAKE_EVENT_CATEGORY) {
    const sound =
      method === UPTAKE_EVENT_METHOD &&
      object === "normandy" &&
      (UPTAKE_STATUSES as readonly unknown[]).includes(value) &&
      Object.keys(extra ?? {}).join() === "source" &&
      UPTAKE_SOURCE.test(String(extra?.source));
    return sound
      ? null
      : `not an uptake event (method "uptake", object "normandy", an uptake status, extra {source} only)`;
  }
  if (category.startsWith(`${ADDON_GLEAN_CATEGORY}.`)) {
    const problem = clientPingProblem({ type: method, event: object, value, fields: extra });
    if (problem !== null) return problem;
    // The ping is sound, so `method` is one of the registry's ping types.
    return category === clientPingCategory(method as ClientPingType)
      ? null
      : `category ${category} for a ${method} ping`;
  }
  return `unknown category ${category}`;
}
