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
    console.log(`\n${name}\n${formatFigures(figures)}`);
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(join(OUT_DIR, `${name}.json`), JSON.stringify({ bench: name, figures }, null, 2));
  });
}

/** A plain-text table (console.table quotes every string), then the stage medians of whole-run figures. */
function formatFigures(figures: readonly BenchResult[]): string {
  const rows = figures.map((figure) => [
    figure.name,
    `${figure.median} ${figure.unit}`,
    `${figure.min}–${figure.max}`,
    String(figure.samples),
    figure.perRecipeMs === undefined ? "" : `${figure.perRecipeMs} ms`,
    Object.entries(figure.ratios)
      .map(([baseline, value]) => `${value}× ${baseline}`)
      .join("; "),
    figure.target ? `${figure.target.goal}: ${figure.target.met ? "met" : "NOT met"}` : "",
  ]);
  const header = ["figure", "median", "min–max", "n", "per recipe", "ratios", "target"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  const stages = figures.flatMap((figure) =>
    figure.stages
      ? [
          `  ${figure.name}: ${Object.entries(figure.stages)
            .map(([stage, ms]) => `${stage} ${ms}`)
            .join(", ")} (ms, medians)`,
        ]
      : [],
  );
  const notes = figures.flatMap((figure) => (figure.note ? [`  ${figure.name}: ${figure.note}`] : []));
  return [line(header), ...rows.map(line), ...stages, ...notes].join("\n");
}
