/**
 * A full recipe run in a real headless Firefox against the local server, at 10, 100 and 1,000 signed recipes
 * with a realistic mix of real-world Normandy filters (most do not match this client): cold (a freshly
 * installed add-on, nothing cached) and warm (nothing changed since the last run). Beside it, in the same
 * extension process, 1,000 raw WebCrypto P-384 verifications: the irreducible cost of a cold run.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRecipeServer, type RunningRecipeServer } from "../server/recipeServer.js";
import { FILTER_CORPUS } from "../test/e2e/fixtures/filterCorpus.js";
import { ADDON_ID, AddonUnderTest, DIST, prefsFor } from "../test/e2e/support/addonUnderTest.js";
import type { RunReport } from "../src/runner/RunReport.js";
import type { BenchResult } from "./benchResult.js";
import { defineBench } from "./defineBench.js";
import { summarize } from "./measure.js";

const QUICK = process.env.BENCH_QUICK === "1";
/** `BENCH_SIZES=1000` measures one size only. */
const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(",").map(Number) : QUICK ? [10, 100] : [10, 100, 1000];
const COLD_SAMPLES = QUICK ? 2 : 3;
const WARM_SAMPLES = QUICK ? 3 : 7;
const ROOT_HASH_PREF = "extensions.recipeclient.root_hash";

/** Real-world filters that need no prefs reader: the mix every recipe cycles through. */
const FILTERS = FILTER_CORPUS.filter((entry) => entry.group === "real-world" && !entry.expression.includes("preference")).map(
  (entry) => entry.expression,
);

defineBench("full-run", async () => {
  const results: BenchResult[] = [];
  for (const size of SIZES) results.push(...(await benchSize(size)));
  return results;
});

async function benchSize(size: number): Promise<BenchResult[]> {
  const dataDir = await mkdtemp(join(tmpdir(), "bench-run-"));
  const server = await startRecipeServer({ dataDir, port: 0 });
  let addon: AddonUnderTest | undefined;
  try {
    await publishRecipes(server, size);
    // Started without a root hash, the add-on's start-up run does nothing: the first real run is cold.
    addon = await AddonUnderTest.start(`bench-run-${size}`, { ...prefsFor(server), [ROOT_HASH_PREF]: "" });
    await addon.waitForRuns(1); // leaves the content tab on the add-on's QA console, where timedRun asks for runs
    const setRootHash = (value: string) =>
      addon!.firefox.evalInChrome(`Services.prefs.setStringPref(args[0], args[1]);`, ROOT_HASH_PREF, value);

    const cold: number[] = [];
    for (let sample = 0; sample < COLD_SAMPLES; sample++) {
      if (sample > 0) {
        // A reinstall starts a fresh background page: no verified chains, no verdicts, no parsed filters.
        await setRootHash("");
        await addon.firefox.installAddon(DIST, { temporary: true });
        await addon.waitForRuns(1);
        await new Promise((resolve) => setTimeout(resolve, 500)); // let the console page finish loading its state
      }
      await setRootHash(server.config.rootHash);
      cold.push(await timedRun(addon, size));
    }
    const warm: number[] = [];
    for (let sample = 0; sample < WARM_SAMPLES; sample++) warm.push(await timedRun(addon, size));
    const p384 = await rawP384Verifications(addon, size);
    const roundTrip = await changesetRoundTrip(addon, server);

    const p384Median = summarize(`${size} raw P-384 verifications (extension process)`, p384).medianMs;
    const coldResult = summarize(`full run, ${size} recipes, cold`, cold);
    return [
      { ...coldResult, ratios: { [`${size} × P-384 + 1 round trip`]: ratio(coldResult.medianMs, p384Median + roundTrip) }, perRecipeMs: round(coldResult.medianMs / size) },
      { ...summarize(`full run, ${size} recipes, warm`, warm), perRecipeMs: round(median(warm) / size) },
      summarize(`${size} raw P-384 verifications (extension process)`, p384),
      summarize(`changeset round trip, ${size} recipes`, [roundTrip]),
    ];
  } finally {
    await addon?.dispose();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function publishRecipes(server: RunningRecipeServer, size: number): Promise<void> {
  for (let index = 0; index < size; index++) {
    server.store.create(
      {
        name: `bench recipe ${index}`,
        action: "console-log",
        arguments: { message: `bench ${index}` },
        filter_expression: FILTERS[index % FILTERS.length]!,
        capabilities: [],
      },
      true,
    );
  }
  await server.publish();
}

/**
 * Asks the background page for a run and returns the run's own duration as the add-on measured it. The
 * request comes from an extension page opened once (re-opening the QA console for every run would load its
 * state each time, and that work would land inside the measured run).
 */
async function timedRun(addon: AddonUnderTest, size: number): Promise<number> {
  const report = await addon.firefox.evalInContent<RunReport>(`return browser.runtime.sendMessage({ type: "run-now" });`);
  if (report.runnerStatus !== "success" || report.recipes.length !== size) {
    throw new Error(`bench run failed: ${report.runnerStatus}, ${report.recipes.length} recipes, ${report.error ?? ""}`);
  }
  return report.durationMs;
}

/** `count` P-384 verifications in the add-on's own page: same process and WebCrypto as the background page. */
async function rawP384Verifications(addon: AddonUnderTest, count: number): Promise<number[]> {
  return addon.firefox.evalInExtensionPage<number[]>(
    ADDON_ID,
    "pages/console.html",
    `const { subtle } = crypto;
     const keys = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, ["sign", "verify"]);
     const message = new TextEncoder().encode("Content-Signature:\\x00{\\"id\\":1}");
     const signature = await subtle.sign({ name: "ECDSA", hash: "SHA-384" }, keys.privateKey, message);
     const times = [];
     for (let sample = 0; sample < 5; sample++) {
       const start = performance.now();
       for (let i = 0; i < args[0]; i++) await subtle.verify({ name: "ECDSA", hash: "SHA-384" }, keys.publicKey, signature, message);
       times.push(performance.now() - start);
     }
     return times;`,
    count,
  );
}

/** One fetch of the changeset from the extension process, as the runner does it. */
async function changesetRoundTrip(addon: AddonUnderTest, server: RunningRecipeServer): Promise<number> {
  const url = `${server.config.remoteSettingsUrl}/buckets/main/collections/normandy-recipes-capabilities/changeset?_expected=0`;
  return addon.firefox.evalInExtensionPage<number>(
    ADDON_ID,
    "pages/console.html",
    `await fetch(args[0], { credentials: "omit", cache: "no-store" }).then((response) => response.text());
     const start = performance.now();
     await fetch(args[0], { credentials: "omit", cache: "no-store" }).then((response) => response.text());
     return performance.now() - start;`,
    url,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function ratio(value: number, baseline: number): number {
  return round(value / baseline);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
