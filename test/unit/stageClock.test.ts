import { afterEach, describe, expect, it, vi } from "vitest";
import { StageClock } from "../../src/runner/StageClock.js";

/** Replaces `performance.now()` by a clock the test moves. */
function manualClock() {
  let now = 1_000;
  vi.spyOn(performance, "now").mockImplementation(() => now);
  return {
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Work that moves the clock by `ms` and then settles. */
const taking = (clock: { advance(ms: number): void }, ms: number) => async () => {
  clock.advance(ms);
};

describe("StageClock", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("charges nested time to the inner stage only, so stages never overlap", async () => {
    const clock = manualClock();
    const stages = new StageClock();

    await stages.time("filter", async () => {
      clock.advance(2);
      await stages.time("context", taking(clock, 30));
      clock.advance(3);
    });

    expect(stages.rounded()).toMatchObject({ filter: 5, context: 30 });
    expect(stages.elapsedMs()).toBe(35);
  });

  it("charges time while stages are open concurrently to the one entered last", async () => {
    const clock = manualClock();
    const stages = new StageClock();
    let finishAttribute!: () => void;
    const attribute = stages.time("context", () => new Promise<void>((resolve) => (finishAttribute = resolve)));

    clock.advance(4); // only context is open
    const actions = stages.time("actions", async () => clock.advance(6));
    await actions;
    clock.advance(1); // context is still open
    finishAttribute();
    await attribute;

    expect(stages.rounded()).toMatchObject({ context: 5, actions: 6 });
  });

  it("rounds so that the stages add up to the rounded run, never more", async () => {
    const clock = manualClock();
    const stages = new StageClock();
    // Six stages of 0.5 ms each: rounded one by one they would add up to 6 ms in a 3 ms run.
    for (const stage of ["fetch", "verify", "context", "filter", "actions", "report"] as const)
      await stages.time(stage, taking(clock, 0.5));

    const rounded = stages.rounded();

    expect(Object.values(rounded).reduce((sum, ms) => sum + ms, 0)).toBe(3);
    expect(Math.round(stages.elapsedMs())).toBe(3);
    for (const ms of Object.values(rounded)) expect(ms).toBeGreaterThanOrEqual(0);
  });
});
