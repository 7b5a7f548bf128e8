import type { BenchResult, FigureUnit } from "./benchResult.js";

/** `BENCH_QUICK=1` (`npm run bench -- --quick`): fewer sizes and samples, so everything finishes in under 2 minutes. */
export const QUICK = process.env.BENCH_QUICK === "1";
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? (QUICK ? 3 : 5));

/** Median, min and max of values already measured. */
export function summarize(name: string, values: readonly number[], unit: FigureUnit = "ms"): BenchResult {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    name,
    unit,
    samples: sorted.length,
    median: round(median(sorted)),
    min: round(sorted[0]!),
    max: round(sorted.at(-1)!),
    ratios: {},
  };
}

/** The middle value; for an even count, the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `work` once to warm up, then SAMPLES times, and summarizes the wall times. */
export async function measure(name: string, work: () => Promise<void>): Promise<BenchResult> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return summarize(name, times);
}

/** `value / baseline`, to two decimals. */
export function ratio(value: number, baseline: number): number {
  return round(value / baseline);
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
