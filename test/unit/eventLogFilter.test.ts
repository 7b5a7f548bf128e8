/** The QA console's event log filters: by column, by text, and the routine rows folded unless asked for. */
import { describe, expect, it } from "vitest";
import { ALL_EVENTS, columnValues, filterEvents } from "../../src/pages/eventLogFilter.js";
import type { LoggedEvent } from "../../src/stores/EventLogStore.js";

const EVENTS: LoggedEvent[] = [
  [10, "recipe_client.health", "health", "RECIPE_CLIENT_STATUS", "ENABLED", { locale: "en-US" }],
  [20, "uptake.remotecontent.result", "uptake", "normandy", "success", { source: "normandy/runner" }],
  [21, "recipe_client.performance", "performance", "RUN_TOTAL", "40", { recipe_count: "2" }],
  [22, "normandy", "enroll", "preference_study", "my-study", { branch: "treatment", enrollmentId: "e-1" }],
  [30, "normandy", "unenroll", "preference_study", "my-study", { reason: "individual-opt-out", enrollmentId: "e-1" }],
  [31, "normandy", "enroll", "preference_rollout", "my-rollout", { enrollmentId: "e-2" }],
];

describe("filterEvents", () => {
  it("folds uptake and performance rows by default and counts them", () => {
    const { shown, folded } = filterEvents(EVENTS, ALL_EVENTS);
    expect(shown.map(([timestamp]) => timestamp)).toEqual([10, 22, 30, 31]);
    expect(folded).toBe(2);
    expect(filterEvents(EVENTS, { ...ALL_EVENTS, showRoutine: true })).toEqual({ shown: EVENTS, folded: 0 });
  });

  it("shows routine rows when their category is chosen", () => {
    expect(filterEvents(EVENTS, { ...ALL_EVENTS, category: "uptake.remotecontent.result" })).toEqual({
      shown: [EVENTS[1]],
      folded: 0,
    });
  });

  it("filters by method and object exactly, and by text anywhere in the row, ignoring case", () => {
    expect(filterEvents(EVENTS, { ...ALL_EVENTS, method: "enroll" }).shown.map(([timestamp]) => timestamp)).toEqual([
      22, 31,
    ]);
    expect(filterEvents(EVENTS, { ...ALL_EVENTS, method: "enroll", object: "preference_rollout" }).shown).toEqual([
      EVENTS[5],
    ]);
    expect(filterEvents(EVENTS, { ...ALL_EVENTS, text: "OPT-OUT" }).shown).toEqual([EVENTS[4]]);
    expect(filterEvents(EVENTS, { ...ALL_EVENTS, text: "e-1" }).shown.map(([timestamp]) => timestamp)).toEqual([
      22, 30,
    ]);
    expect(filterEvents(EVENTS, { ...ALL_EVENTS, text: "normandy/runner" })).toEqual({ shown: [], folded: 1 });
  });

  it("matches the text in the time a row shows too", () => {
    const shownTime = ([timestamp]: LoggedEvent) =>
      timestamp < 30 ? "Dec 7, 2026, 9:04:13 PM" : "Dec 8, 2026, 8:00:00 AM";
    expect(
      filterEvents(EVENTS, { ...ALL_EVENTS, text: "9:04" }, shownTime).shown.map(([timestamp]) => timestamp),
    ).toEqual([10, 22]);
    expect(filterEvents(EVENTS, { ...ALL_EVENTS, text: "dec 8" }, shownTime).shown).toEqual([EVENTS[4], EVENTS[5]]);
    expect(filterEvents(EVENTS, { ...ALL_EVENTS, text: "dec 8" }).shown).toEqual([]);
  });

  it("offers each column's distinct values, sorted", () => {
    expect(columnValues(EVENTS, 2)).toEqual(["enroll", "health", "performance", "unenroll", "uptake"]);
  });
});
