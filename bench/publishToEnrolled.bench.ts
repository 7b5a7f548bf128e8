/**
 * Publish-to-enrolled latency: from QA publishing on the server to the pref changing in Firefox. The
 * collection holds a preference rollout among console-log recipes; each sample edits the rollout's value and
 * publishes, the server pushes a change notice, the add-on runs and sets the new default-branch value. A pref
 * observer in the chrome context notes `Date.now()` when the pref takes the new value; the publish started
 * at `Date.now()` in this (the server's) process, on the same machine's clock.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRecipeServer, type RunningRecipeServer } from "../server/recipeServer.js";
import type { RecipeFields } from "../server/recipeStore.js";
import { FILTER_CORPUS } from "../test/e2e/fixtures/filterCorpus.js";
import { waitForValue } from "../test/e2e/harness/index.js";
import { AddonUnderTest, prefsFor } from "../test/e2e/support/addonUnderTest.js";
import { defineBench } from "./defineBench.js";
import { summarize } from "./measure.js";

const SAMPLES = 20;
const OTHER_RECIPES = 9;
const TARGET_MS = 1000;
/** A Firefox pref with a shipped integer default (10); rollout values stay far from it, so none graduates. */
const ROLLOUT_PREF = "browser.urlbar.maxRichResults";
/** Where the chrome-context observer notes when the pref changed (ms since the epoch, as a string). */
const CHANGED_AT_PREF = "bench.publishToEnrolled.changedAt";
const CHANGE_TIMEOUT_MS = 10_000;

defineBench("publish-to-enrolled", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "bench-publish-"));
  const server = await startRecipeServer({ dataDir, port: 0 });
  let addon: AddonUnderTest | undefined;
  try {
    const filters = FILTER_CORPUS.filter(
      (entry) => entry.group === "real-world" && !entry.expression.includes("preference"),
    );
    for (let index = 0; index < OTHER_RECIPES; index++) {
      const filter_expression = filters[index % filters.length]!.expression;
      server.store.create(
        {
          name: `bench ${index}`,
          action: "console-log",
          arguments: { message: `bench ${index}` },
          filter_expression,
          capabilities: [],
        },
        true,
      );
    }
    const rolloutId = server.store.create(rollout(100), true).id;
    await server.publish();
    addon = await AddonUnderTest.start("bench-publish-to-enrolled", {
      ...prefsFor(server, { notices: true }),
      "devtools.console.stdout.content": false,
    });
    await addon.waitForRuns(1);
    // No add-on page stays open: the QA console re-renders after every run, in the background page's process.
    await addon.firefox.navigate("about:blank");

    // The first publish is not counted: it also makes sure the add-on is listening to the notices.
    await publishedLatency(addon, server, rolloutId, 101);
    const latencies: number[] = [];
    for (let sample = 0; sample < SAMPLES; sample++)
      latencies.push(await publishedLatency(addon, server, rolloutId, 102 + sample));
    const figure = summarize(`publish to pref changed, ${OTHER_RECIPES + 1} recipes`, latencies);
    return [{ ...figure, target: { goal: `median ≤ ${TARGET_MS} ms`, met: figure.median <= TARGET_MS } }];
  } finally {
    await addon?.dispose();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

function rollout(value: number): RecipeFields {
  return {
    name: "Bench rollout",
    action: "preference-rollout",
    arguments: { slug: "bench-publish-to-enrolled", preferences: [{ preferenceName: ROLLOUT_PREF, value }] },
    filter_expression: "true",
    capabilities: [],
  };
}

/** Sets the rollout to `value`, publishes, and returns the ms from the publish to the pref's change in Firefox. */
async function publishedLatency(
  addon: AddonUnderTest,
  server: RunningRecipeServer,
  rolloutId: number,
  value: number,
): Promise<number> {
  await addon.firefox.evalInChrome(
    `const [pref, expected, changedAtPref] = args;
     Services.prefs.clearUserPref(changedAtPref);
     const observer = () => {
       if (Services.prefs.getIntPref(pref, 0) !== expected) return;
       Services.prefs.setStringPref(changedAtPref, String(Date.now()));
       Services.prefs.removeObserver(pref, observer);
     };
     Services.prefs.addObserver(pref, observer);`,
    ROLLOUT_PREF,
    value,
    CHANGED_AT_PREF,
  );
  server.store.update(rolloutId, rollout(value));
  const publishedAt = Date.now();
  await server.publish();
  const changedAt = await waitForValue(
    `${ROLLOUT_PREF} to become ${value}`,
    async () =>
      (await addon.firefox.evalInChrome<string>(
        `return Services.prefs.getStringPref(args[0], "");`,
        CHANGED_AT_PREF,
      )) || undefined,
    { timeoutMs: CHANGE_TIMEOUT_MS, intervalMs: 20 },
  );
  return Number(changedAt) - publishedAt;
}
