/**
 * Hostile recipes: seeded mutations of valid recipes (wrong types, missing fields, huge strings, deep nesting,
 * odd unicode, prototype-pollution keys, catastrophic regular expressions, broken filters, huge arrays),
 * validly signed, run through the real runner and every action against in-memory Firefox. Each run must
 * end with zero uncaught errors, every recipe in a defined suitability and uptake status (and the valid
 * canary recipes next to them succeeding), within its time limit, with Object.prototype untouched and
 * nothing lost (every changed pref and installed add-on owned by an active study or rollout).
 * 500 cases with RELIABILITY_QUICK=1, 10,000 otherwise; RELIABILITY_SEED=<n> replays a seed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { UPTAKE_STATUSES } from "../../experiment-apis/telemetry/interface.js";
import { SUITABILITIES } from "../../src/core/suitability.js";
import { DEFAULT_FETCH_LIMITS } from "../../src/delivery/fetchText.js";
import { inMemoryClient } from "../fakes/inMemoryClient.js";
import { AreaTally, QUICK, reliabilitySeed } from "./support/areaFigures.js";
import { MUTATION_KINDS, mutate, validRecipe, type Json } from "./support/hostileRecipes.js";
import { SeededRandom } from "./support/seededRandom.js";
import { SignedCollectionServer } from "./support/signedCollectionServer.js";

const CASES = QUICK ? 500 : 10_000;
const HOSTILE_PER_RUN = 23;
const CANARIES_PER_RUN = 2;
/** No run may take longer, whatever its recipes: a hung filter or action would blow through this. */
const RUN_TIME_LIMIT_MS = 10_000;

const tally = new AreaTally("fuzz");
const seed = reliabilitySeed();
const figures = {
  uncaught: 0,
  lost: 0,
  slowestRunMs: 0,
  regExpTimeouts: 0,
  collectionsTooLarge: 0,
  heapMiB: 0,
  storedMiB: 0,
};
/** Progress and memory are printed every this many runs: a leak shows as a heap that keeps growing. */
const PROGRESS_EVERY = 50;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => void uncaught.push(error);
process.on("unhandledRejection", onUncaught);
process.on("uncaughtException", onUncaught);

afterAll(() => {
  process.off("unhandledRejection", onUncaught);
  process.off("uncaughtException", onUncaught);
  tally.write(
    `${tally.tried} cases (seed ${seed}), ${tally.passed} passed, uncaught errors = ${figures.uncaught}, lost changes = ${figures.lost}, ` +
      `slowest run = ${figures.slowestRunMs} ms (limit ${RUN_TIME_LIMIT_MS} ms), catastrophic regexps stopped = ${figures.regExpTimeouts}, ` +
      `collections refused as too large = ${figures.collectionsTooLarge}, heap at the end = ${figures.heapMiB} MiB ` +
      `(the add-on's storage: ${figures.storedMiB} MiB, enrollment records are kept for good)`,
  );
});

it(`${CASES} hostile recipes end in defined statuses, within the time limit, with nothing lost (seed ${seed})`, async () => {
  console.log(`fuzz: seed ${seed} (replay with RELIABILITY_SEED=${seed})`);
  const dataDir = mkdtempSync(join(tmpdir(), "fuzz-server-"));
  const server = await SignedCollectionServer.start(dataDir);
  const random = new SeededRandom(seed);
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort().join();
  try {
    const client = await inMemoryClient(server);
    let nextId = 1;
    for (let run = 0; tally.tried < CASES; run++) {
      const hostile = Array.from({ length: Math.min(HOSTILE_PER_RUN, CASES - tally.tried) }, () => {
        const id = nextId++;
        const recipe = validRecipe(random, id);
        const mutations = Array.from({ length: random.int(1, 2) }, () =>
          mutate(random, recipe, random.pick(MUTATION_KINDS)),
        );
        return { id, recipe: recipe as Json, mutations };
      });
      const canaries = Array.from({ length: CANARIES_PER_RUN }, () => {
        const id = nextId++;
        return {
          id,
          recipe: {
            ...validRecipe(random, id, "console-log"),
            filter_expression: "true",
            capabilities: ["capabilities-v1"],
          } as Json,
        };
      });
      const bytes = await server.publish([...hostile, ...canaries]);

      const report = await client.runner.run("fuzz");
      figures.heapMiB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
      figures.storedMiB = Math.round(
        [...client.storage.data.values()].reduce((sum, text) => sum + text.length, 0) / 2 ** 20,
      );
      if (run % PROGRESS_EVERY === 0)
        console.log(`fuzz: ${tally.tried} cases done, heap ${figures.heapMiB} MiB, storage ${figures.storedMiB} MiB`);

      const runProblems: string[] = [];
      // Huge strings can push the whole collection past the client's size limit: then the run, and with it
      // every recipe in it, is refused as server_error, the documented outcome (nothing is acted on).
      const tooLarge = bytes > DEFAULT_FETCH_LIMITS.maxBytes;
      if (tooLarge) figures.collectionsTooLarge += 1;
      if (
        tooLarge
          ? report.runnerStatus !== "server_error" || report.recipes.length > 0
          : report.runnerStatus !== "success"
      ) {
        runProblems.push(`a collection of ${bytes} bytes: the run ended ${report.runnerStatus}: ${report.error}`);
      }
      if (report.durationMs > RUN_TIME_LIMIT_MS) runProblems.push(`run took ${report.durationMs} ms`);
      figures.slowestRunMs = Math.max(figures.slowestRunMs, report.durationMs);
      const lost = await client.untrackedChanges();
      figures.lost += lost.length;
      if (lost.length > 0) runProblems.push(`not owned by any store: ${lost.join(", ")}`);
      if (
        Object.getOwnPropertyNames(Object.prototype).sort().join() !== prototypeBefore ||
        ({} as Record<string, unknown>).polluted !== undefined
      ) {
        runProblems.push("Object.prototype was changed");
      }
      if (uncaught.length > figures.uncaught)
        runProblems.push(`uncaught: ${uncaught.slice(figures.uncaught).map(String).join(" | ")}`);
      figures.uncaught = uncaught.length;

      if (tooLarge) {
        for (const { id, mutations } of hostile)
          tally.record(`run ${run}, recipe ${id} (${mutations.join(" + ")}), in a collection too large`, runProblems);
        continue;
      }
      // Entries come in the changeset's order, which is the order published (a mutated id cannot hide one).
      const published = hostile.length + canaries.length;
      if (report.recipes.length !== published)
        runProblems.push(`${report.recipes.length} report entries for ${published} records`);
      canaries.forEach(({ id }, index) => {
        const entry = report.recipes[hostile.length + index];
        if (entry?.status !== "success") runProblems.push(`canary ${id} ended ${entry?.status ?? "without a status"}`);
      });
      figures.regExpTimeouts += report.recipes.filter((entry) => entry.detail?.includes("regExpMatch gave up")).length;
      hostile.forEach(({ id, mutations }, index) => {
        const entry = report.recipes[index];
        const problems = [...runProblems];
        if (!entry) problems.push("no report entry");
        else {
          if (!SUITABILITIES.includes(entry.suitability)) problems.push(`suitability ${String(entry.suitability)}`);
          if (!(UPTAKE_STATUSES as readonly string[]).includes(entry.status))
            problems.push(`uptake ${String(entry.status)}`);
        }
        tally.record(`run ${run}, recipe ${id} (${mutations.join(" + ")})`, problems);
      });
    }
    expect((await client.quarantineNotes()).length, "a store the client wrote itself read back as damaged").toBe(0);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  expect(tally.failures.slice(0, 10)).toEqual([]);
  expect(tally.passed).toBe(tally.tried);
});
