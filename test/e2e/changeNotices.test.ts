/**
 * Publish-to-run without waiting for the schedule: the server pushes a change notice, the add-on runs.
 */
import { describe, expect, it } from "vitest";
import { useServerAndAddon } from "./support/serverAndAddon.js";

describe("change notices, end to end", () => {
  const running = useServerAndAddon("change-notices", { notices: true, waitForFirstRun: true });

  it("connecting to the notices after the start-up run causes no extra run", async () => {
    // A fresh connection first gets the timestamp of the collection the start-up run applied.
    await expect.poll(() => running.server.noticeClients(), { timeout: 10_000 }).toBe(1);
    // The positive signal that the client has handled that first notice: the notice of a later publish,
    // which comes after it on the same stream, has caused its run.
    running.server.store.create(
      {
        name: "after the connection",
        action: "console-log",
        arguments: { message: "after the connection" },
        filter_expression: "true",
        capabilities: [],
      },
      true,
    );
    const { timestamp } = await running.server.publish();
    await expect
      .poll(async () => (await running.addon.state()).runs.some((run) => run.collectionTimestamp === timestamp), {
        timeout: 10_000,
      })
      .toBe(true);
    // A run the first notice caused could still be going on, with the publish's run waiting for it: a manual
    // run joins the waiting one or comes after it, so once it is done every run asked for so far is reported.
    await running.addon.runNow();
    const { runs } = await running.addon.state();
    expect(runs.map((run) => run.trigger)).toEqual(["manual", "notice", "startup"]);
  });

  it("a publish reaches the client and runs the new recipe within a few seconds", async () => {
    const message = "published, then pushed";
    running.server.store.create(
      { name: "pushed", action: "console-log", arguments: { message }, filter_expression: "true", capabilities: [] },
      true,
    );
    const published = Date.now();
    await running.server.publish();

    await expect
      .poll(async () => (await running.addon.consoleMessages()).some((entry) => entry.args.includes(message)), {
        timeout: 5_000,
        interval: 50,
      })
      .toBe(true);
    console.log(`publish-to-console-log latency: ${Date.now() - published} ms`);
    const [latest] = (await running.addon.state()).runs;
    expect(latest).toMatchObject({ trigger: "notice", runnerStatus: "success" });
  });
});
