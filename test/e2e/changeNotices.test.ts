/**
 * Publish-to-run without waiting for the schedule: the server pushes a change notice, the add-on runs.
 */
import { describe, expect, it } from "vitest";
import { useServerAndAddon } from "./support/serverAndAddon.js";

describe("change notices, end to end", () => {
  const running = useServerAndAddon("change-notices", { notices: true, waitForFirstRun: true });

  it("connecting to the notices after the start-up run causes no extra run", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { runs } = await running.addon.state();
    expect(runs.map((run) => run.trigger)).toEqual(["startup"]);
  });

  it("a publish reaches the client and runs the new recipe within a few seconds", async () => {
    const message = "published, then pushed";
    running.server.store.create({ name: "pushed", action: "console-log", arguments: { message }, filter_expression: "true", capabilities: [] }, true);
    const published = Date.now();
    await running.server.publish();

    const deadline = published + 5_000;
    let logged = false;
    while (!logged && Date.now() < deadline) {
      logged = (await running.addon.consoleMessages()).some((entry) => entry.args.includes(message));
      if (!logged) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const latencyMs = Date.now() - published;
    console.log(`publish-to-console-log latency: ${latencyMs} ms`);
    expect(logged).toBe(true);
    const [latest] = (await running.addon.state()).runs;
    expect(latest).toMatchObject({ trigger: "notice", runnerStatus: "success" });
  });
});
