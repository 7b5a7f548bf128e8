/**
 * Overlapping triggers never run two recipe runs at once. In Node, a whole client's runner gets seeded
 * bursts of timer, change-notice and "Run now" triggers; in Firefox, the add-on gets concurrent "Run now"
 * presses while publishes send it change notices. Both check the run reports: sorted by start, each run
 * starts after the previous one ended, and every trigger was answered by a run report.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { startRecipeServer, type RunningRecipeServer } from "../../server/recipeServer.js";
import { MANUAL_TRIGGER } from "../../src/runner/RecipeRunner.js";
import type { RunReport } from "../../src/core/runReport.js";
import { waitForValue } from "../e2e/harness/index.js";
import { ADDON_ID, AddonUnderTest, prefsFor } from "../e2e/support/addonUnderTest.js";
import { inMemoryClient } from "../fakes/inMemoryClient.js";
import { AreaTally, QUICK, reliabilitySeed } from "./support/areaFigures.js";
import { SeededRandom } from "./support/seededRandom.js";

const TRIGGERS = ["timer", "notice", MANUAL_TRIGGER] as const;
const PADDING_RECIPES = 30;

const tally = new AreaTally("concurrency");
const seed = reliabilitySeed();
const figures = { triggers: 0, runs: 0, overlapping: 0 };
const workDir = mkdtempSync(join(tmpdir(), "concurrency-"));

afterAll(() => {
  tally.write(
    `${figures.triggers} triggers (timer, notice, Run now; seed ${seed}), ${figures.runs} runs, overlapping runs = ${figures.overlapping}`,
  );
  rmSync(workDir, { recursive: true, force: true });
});

/** Runs that started before the one before them had ended (report times are whole ms: 1 ms of slack). */
function overlaps(reports: RunReport[]): string[] {
  const sorted = [...reports].sort((a, b) => a.startedAt - b.startedAt);
  return sorted.slice(1).flatMap((report, index) => {
    const previous = sorted[index]!;
    const end = previous.startedAt + previous.durationMs;
    return report.startedAt < end - 1
      ? [`a ${report.trigger} run started ${end - report.startedAt} ms before the ${previous.trigger} run ended`]
      : [];
  });
}

async function serverWithRecipes(name: string): Promise<RunningRecipeServer> {
  const server = await startRecipeServer({ dataDir: join(workDir, name), port: 0 });
  for (let index = 0; index < PADDING_RECIPES; index++) {
    server.store.create(
      {
        name: `recipe ${index}`,
        action: "console-log",
        arguments: { message: `recipe ${index}` },
        filter_expression: `normandy.locale == "xx-${index}"`,
        capabilities: [],
      },
      true,
    );
  }
  await server.publish();
  return server;
}

it(`the runner never overlaps runs under bursts of triggers (seed ${seed})`, async () => {
  const server = await serverWithRecipes("node");
  try {
    const client = await inMemoryClient({
      serverUrl: server.config.remoteSettingsUrl,
      rootHash: server.config.rootHash,
    });
    const random = new SeededRandom(seed);
    for (let burst = 0; burst < (QUICK ? 5 : 20); burst++) {
      const triggers = Array.from({ length: random.int(3, 12) }, () => ({
        trigger: random.pick(TRIGGERS),
        delayMs: random.int(0, 80),
      }));
      const reports = await Promise.all(
        triggers.map(({ trigger, delayMs }) =>
          new Promise((resolve) => setTimeout(resolve, delayMs)).then(() => client.runner.run(trigger)),
        ),
      );
      const runs = [...new Set(reports)];
      figures.triggers += triggers.length;
      figures.runs += runs.length;
      const problems = overlaps(runs);
      figures.overlapping += problems.length;
      if (runs.some((report) => report.runnerStatus !== "success"))
        problems.push(`statuses ${runs.map((report) => report.runnerStatus).join(", ")}`);
      tally.record(`burst ${burst}: ${triggers.map(({ trigger }) => trigger).join(", ")}`, problems);
    }
  } finally {
    await server.close();
  }
  expect(tally.failures).toEqual([]);
});

it("the add-on in Firefox never overlaps runs under concurrent Run now presses and change notices", async () => {
  const server = await serverWithRecipes("firefox");
  const addon = await AddonUnderTest.start("reliability-concurrency", prefsFor(server, { notices: true }));
  try {
    await addon.waitForRuns(1);
    const presses = QUICK ? 6 : 15;
    const publishes = QUICK ? 3 : 8;
    const pressing = addon.firefox.evalInExtensionPage<number>(
      ADDON_ID,
      "pages/console.html",
      `const presses = [];
       for (let press = 0; press < args[0]; press++) {
         presses.push(browser.runtime.sendMessage({ type: "run-now" }));
         await new Promise((resolve) => setTimeout(resolve, 40));
       }
       return (await Promise.all(presses)).length;`,
      presses,
    );
    for (let publish = 0; publish < publishes; publish++) {
      server.store.create(
        {
          name: `notice ${publish}`,
          action: "console-log",
          arguments: { message: `notice ${publish}` },
          filter_expression: "true",
          capabilities: [],
        },
        true,
      );
      await server.publish();
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    expect(await pressing).toBe(presses);
    // Triggers during a run share the one run after it, named after the first of them (often a press):
    // one more publish once the presses are answered must bring a run of its own.
    server.store.create(
      {
        name: "last notice",
        action: "console-log",
        arguments: { message: "last notice" },
        filter_expression: "true",
        capabilities: [],
      },
      true,
    );
    await server.publish();
    // Not there within 10 s is a problem recorded below, not a failure here.
    await waitForValue(
      "a run from a change notice",
      async () => (await addon.state()).runs.some((run) => run.trigger === "notice"),
      { timeoutMs: 10_000 },
    ).catch(() => undefined);
    const { runs } = await addon.state();
    figures.triggers += presses + publishes + 1;
    figures.runs += runs.length;
    const problems = overlaps(runs);
    figures.overlapping += problems.length;
    if (!runs.some((run) => run.trigger === "notice")) problems.push("no run came from a change notice");
    if (!runs.some((run) => run.trigger === MANUAL_TRIGGER)) problems.push("no run came from Run now");
    tally.record(`Firefox: ${presses} Run now presses and ${publishes} change notices, ${runs.length} runs`, problems);
    expect(problems).toEqual([]);
  } finally {
    await addon.dispose();
    await server.close();
  }
});
