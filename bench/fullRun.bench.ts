/**
 * A full recipe run in a real headless Firefox against the local server, at 10, 100 and 1,000 signed recipes
 * with a realistic mix of real-world Normandy filters (most do not match this client):
 * - cold: the first run of a freshly (re)installed add-on: a new background page, nothing verified, fetched
 *   or parsed yet;
 * - warm: the same add-on again with nothing changed on the server (every warm run is checked to have seen
 *   the very collection, and given the same outcome per recipe, as the cold runs).
 * Beside them, in the same extension process: raw WebCrypto P-384 verifications (the irreducible cost of a
 * cold run) and the changeset round trip; at the largest size, the background page's memory afterwards.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRecipeServer, type RunningRecipeServer } from "../server/recipeServer.js";
import { RECIPE_COLLECTION } from "../src/delivery/RemoteSettingsClient.js";
import type { RunReport } from "../src/core/runReport.js";
import { RUN_STAGES } from "../src/core/index.js";
import { FILTER_CORPUS } from "../test/e2e/fixtures/filterCorpus.js";
import { AddonUnderTest, DIST, prefsFor } from "../test/e2e/support/addonUnderTest.js";
import { backgroundMemory, type BackgroundMemory } from "./backgroundMemory.js";
import type { BenchResult } from "./benchResult.js";
import { defineBench } from "./defineBench.js";
import { median, QUICK, ratio, round, summarize } from "./measure.js";
import { askBackground, waitForBackground } from "./quietPage.js";

/** `BENCH_SIZES=1000` measures one size only. */
const SIZES = process.env.BENCH_SIZES
  ? process.env.BENCH_SIZES.split(",").map(Number)
  : QUICK
    ? [10, 1000]
    : [10, 100, 1000];
const COLD_SAMPLES = QUICK ? 2 : 5;
const WARM_SAMPLES = QUICK ? 5 : 11;
const BASELINE_SAMPLES = QUICK ? 3 : 5;
const ROOT_HASH_PREF = "extensions.recipeclient.root_hash";
const WARM_TARGET_MS = 100;
const COLD_TARGET_RATIO = 1.5;

/** Real-world filters that need no prefs reader: the mix every recipe cycles through. */
const FILTERS = FILTER_CORPUS.filter(
  (entry) => entry.group === "real-world" && !entry.expression.includes("preference"),
).map((entry) => entry.expression);

defineBench("full-run", async () => {
  const results: BenchResult[] = [];
  for (const size of SIZES) results.push(...(await benchSize(size, size === Math.max(...SIZES))));
  return results;
});

async function benchSize(size: number, measureMemory: boolean): Promise<BenchResult[]> {
  const dataDir = await mkdtemp(join(tmpdir(), "bench-run-"));
  const server = await startRecipeServer({ dataDir, port: 0 });
  let addon: AddonUnderTest | undefined;
  try {
    await publishRecipes(server, size);
    // Started without a root hash, every run before the root hash is set does nothing: the first real run
    // of each background page is cold. Console messages are not copied to stdout (the tests' logs want
    // them; here they would only add the cost of piping the console-log recipes' output).
    addon = await AddonUnderTest.start(`bench-run-${size}`, {
      ...prefsFor(server),
      [ROOT_HASH_PREF]: "",
      "devtools.console.stdout.content": false,
    });
    const setRootHash = (value: string) =>
      addon!.firefox.evalInChrome(`Services.prefs.setStringPref(args[0], args[1]);`, ROOT_HASH_PREF, value);

    const cold: RunReport[] = [];
    let backgroundStartedAt = 0;
    for (let sample = 0; sample < COLD_SAMPLES; sample++) {
      if (sample > 0) {
        // A reinstall starts a fresh background page: no verified chains, no verdicts, no parsed filters.
        await setRootHash("");
        await addon.firefox.installAddon(DIST, { temporary: true });
      }
      backgroundStartedAt = await waitForBackground(addon, backgroundStartedAt);
      // Runs never overlap, so this one ends after the new page's start-up run, which must not see the root.
      await askBackground(addon, { type: "run-now" });
      await setRootHash(server.config.rootHash);
      cold.push(await timedRun(addon, size));
    }
    const warm: RunReport[] = [];
    // The last cold run, not the first: the first run ever also ends normandy.isFirstRun, which filters read.
    for (let sample = 0; sample < WARM_SAMPLES; sample++)
      warm.push(sameOutcome(await timedRun(addon, size), cold.at(-1)!));
    const memory = measureMemory ? await backgroundMemory(addon) : undefined;
    const p384 = await rawP384Verifications(addon, size);
    const roundTrips = await changesetRoundTrips(addon, server);

    const p384Figure = summarize(`${size} raw P-384 verifications (extension process)`, p384);
    const roundTrip = summarize(`changeset round trip, ${size} recipes`, roundTrips);
    const coldFloor = p384Figure.median + roundTrip.median;
    const coldFigure = runFigure(`full run, ${size} recipes, cold`, cold, size);
    const warmFigure = runFigure(`full run, ${size} recipes, warm`, warm, size);
    coldFigure.ratios = { [`${size} × P-384 + 1 round trip`]: ratio(coldFigure.median, coldFloor) };
    if (size === 1000) {
      coldFigure.target = {
        goal: `≤ ${COLD_TARGET_RATIO}× (1,000 × P-384 + 1 round trip)`,
        met: coldFigure.median <= COLD_TARGET_RATIO * coldFloor,
      };
      warmFigure.target = { goal: `≤ ${WARM_TARGET_MS} ms`, met: warmFigure.median <= WARM_TARGET_MS };
    }
    return [
      coldFigure,
      warmFigure,
      { ...p384Figure, note: `one verification: ${round(p384Figure.median / size)} ms` },
      roundTrip,
      ...(memory ? memoryFigures(memory, size) : []),
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

/** Asks for a run and returns its report, whose duration and stages the add-on measured itself. */
async function timedRun(addon: AddonUnderTest, size: number): Promise<RunReport> {
  const report = await askBackground(addon, { type: "run-now" });
  if (report.runnerStatus !== "success" || report.recipes.length !== size) {
    throw new Error(
      `bench run failed: ${report.runnerStatus}, ${report.recipes.length} recipes, ${report.error ?? ""}`,
    );
  }
  return report;
}

/** `report`, after checking it saw the same collection as `reference` and decided the same for every recipe. */
function sameOutcome(report: RunReport, reference: RunReport): RunReport {
  if (report.collectionTimestamp !== reference.collectionTimestamp)
    throw new Error("a warm run saw another collection than the cold run");
  const outcome = ({ id, suitability, status, detail }: RunReport["recipes"][number]) =>
    JSON.stringify({ id, suitability, status, detail });
  const changed = report.recipes.find((recipe, index) => outcome(recipe) !== outcome(reference.recipes[index]!));
  if (changed) throw new Error(`a warm run decided otherwise than the cold run: ${outcome(changed)}`);
  return report;
}

function runFigure(name: string, reports: readonly RunReport[], size: number): BenchResult {
  const figure = summarize(
    name,
    reports.map((report) => report.durationMs),
  );
  const stages = Object.fromEntries(
    RUN_STAGES.map((stage) => [stage, median(reports.map((report) => report.stages[stage]))]),
  );
  return { ...figure, perRecipeMs: round(figure.median / size), stages };
}

function memoryFigures({ windowMiB, jsMiB, extensionProcessMiB }: BackgroundMemory, size: number): BenchResult[] {
  const after = `after ${COLD_SAMPLES} cold and ${WARM_SAMPLES} warm runs of ${size} recipes`;
  return [
    {
      ...summarize(`background page memory ${after}`, [windowMiB], "MiB"),
      note: "memory reporters' window-objects/top(<background page>) after minimizing memory",
    },
    { ...summarize(`background page JS heap ${after}`, [jsMiB], "MiB"), note: "its js-realm and js-zone parts" },
    {
      ...summarize(`extension process resident memory ${after}`, [extensionProcessMiB], "MiB"),
      note: "ChromeUtils.requestProcInfo: Firefox's code and the open extension pages included",
    },
  ];
}

/** `count` P-384 verifications, BASELINE_SAMPLES times, in the add-on's quiet page: the background page's process and WebCrypto. */
async function rawP384Verifications(addon: AddonUnderTest, count: number): Promise<number[]> {
  return addon.firefox.evalInContent<number[]>(
    `const [count, samples] = args;
     const { subtle } = crypto;
     const keys = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, ["sign", "verify"]);
     const message = new TextEncoder().encode("Content-Signature:\\x00{\\"id\\":1}");
     const signature = await subtle.sign({ name: "ECDSA", hash: "SHA-384" }, keys.privateKey, message);
     const times = [];
     for (let sample = 0; sample < samples; sample++) {
       const start = performance.now();
       for (let i = 0; i < count; i++) await subtle.verify({ name: "ECDSA", hash: "SHA-384" }, keys.publicKey, signature, message);
       times.push(performance.now() - start);
     }
     return times;`,
    count,
    BASELINE_SAMPLES,
  );
}

/** Fetches of the changeset from the extension process, as the runner makes them, after one to warm up. */
async function changesetRoundTrips(addon: AddonUnderTest, server: RunningRecipeServer): Promise<number[]> {
  const { bucket, collection } = RECIPE_COLLECTION;
  const url = `${server.config.remoteSettingsUrl}/buckets/${bucket}/collections/${collection}/changeset?_expected=0`;
  return addon.firefox.evalInContent<number[]>(
    `const [url, samples] = args;
     const fetchOnce = () => fetch(url, { credentials: "omit", cache: "no-store" }).then((response) => response.text());
     await fetchOnce();
     const times = [];
     for (let sample = 0; sample < samples; sample++) {
       const start = performance.now();
       await fetchOnce();
       times.push(performance.now() - start);
     }
     return times;`,
    url,
    BASELINE_SAMPLES,
  );
}
