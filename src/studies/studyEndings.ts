/** Why each study ended, read back from the event log's `unenroll` events (the study records keep no reason). */
import type { EventRecord } from "../core/index.js";

/** The key of a study's ending: its event object and slug, e.g. `preference_study:my-study`. */
export const endingKey = (object: "preference_study" | "addon_study", slug: string) => `${object}:${slug}`;

/**
 * The unenroll reason of every study the log still holds an `unenroll` event for, the last one winning. The
 * log is bounded, so a study that ended long ago may have none: its reason is then unknown.
 */
export function studyEndings(events: readonly EventRecord[]): Record<string, string> {
  const endings: Record<string, string> = {};
  for (const [, category, method, object, value, extra] of events) {
    if (category !== "normandy" || method !== "unenroll" || value === null) continue;
    if (object !== "preference_study" && object !== "addon_study") continue;
    endings[endingKey(object, value)] = extra?.reason ?? "unknown";
  }
  return endings;
}
