/**
 * Publish-to-run without waiting for the schedule: the server pushes a change notice, the add-on runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startRecipeServer, type RunningRecipeServer } from "../../server/recipeServer.js";
import { AddonUnderTest, prefsFor } from "./support/addonUnderTest.js";

describe("change notices, end to end", () => {
  let dataDir: string;
  let server: RunningRecipeServer;
  let addon: AddonUnderTest;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "notices-server-"));
    server = await startRecipeServer({ dataDir, port: 0 });
    addon = await AddonUnderTest.start("change-notices", prefsFor(server, { notices: true }));
    await addon.waitForRuns(1);
  });

  beforeEach((context) => addon.firefox.keepLogOnFailure(context));

  afterAll(async () => {
    await addon?.dispose();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("connecting to the notices after the start-up run causes no extra run", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { runs } = await addon.state();
    expect(runs.map((run) => run.trigger)).toEqual(["startup"]);
  });

  it("a publish reaches the client and runs the new recipe within a few seconds", async () => {
    const message = "published, then pushed";
    server.store.create({ name: "pushed", action: "console-log", arguments: { message }, filter_expression: "true", capabilities: [] }, true);
    const published = Date.now();
    await server.publish();

    const deadline = published + 5_000;
    let logged = false;
    while (!logged && Date.now() < deadline) {
      logged = (await addon.consoleMessages()).some((entry) => entry.args.includes(message));
      if (!logged) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const latencyMs = Date.now() - published;
    console.log(`publish-to-console-log latency: ${latencyMs} ms`);
    expect(logged).toBe(true);
    const [latest] = (await addon.state()).runs;
    expect(latest).toMatchObject({ trigger: "notice", runnerStatus: "success" });
  });
});
