/**
 * Benches run under vitest only because it runs TypeScript with the same module resolution as the tests; they
 * assert nothing about time. Each bench prints its figures and writes them to test-results/bench/<name>.json,
 * which `npm run bench` (scripts/bench.mjs) gathers into bench/results.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { it } from "vitest";
import type { BenchResult } from "./benchResult.js";

const OUT_DIR = fileURLToPath(new URL("../test-results/bench/", import.meta.url));

export function defineBench(name: string, run: () => Promise<BenchResult[]>): void {
  it(name, { timeout: 30 * 60_000 }, async () => {
    const figures = await run();
    console.table(
      figures.map(({ name: figure, medianMs, minMs, maxMs, ratios, perRecipeMs }) => ({
        figure,
        "median ms": medianMs,
        "min–max ms": `${minMs}–${maxMs}`,
        "per recipe ms": perRecipeMs ?? "",
        ratios: Object.entries(ratios).map(([baseline, value]) => `${value}× ${baseline}`).join(", "),
      })),
    );
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(join(OUT_DIR, `${name}.json`), JSON.stringify({ bench: name, figures }, null, 2));
  });
}
