import type { BenchResult } from "./benchResult.js";

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? (process.env.BENCH_QUICK === "1" ? 3 : 5));

/** Median, min and max of wall times already measured. */
export function summarize(name: string, timesMs: readonly number[]): BenchResult {
  const times = [...timesMs].sort((a, b) => a - b);
  return {
    name,
    samples: times.length,
    medianMs: round(times[Math.floor(times.length / 2)]!),
    minMs: round(times[0]!),
    maxMs: round(times[times.length - 1]!),
    ratios: {},
  };
}

/** Runs `work` once to warm up, then SAMPLES times, and reports median / min / max wall time. */
export async function measure(name: string, work: () => Promise<void>) {
  await work();
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  const result = summarize(name, times);
  return {
    ...result,
    /** The same figure with its ratio to a baseline measured side by side in this run. */
    withRatio(baseline: string, baselineMs: number): BenchResult {
      return { ...result, ratios: { [baseline]: round(result.medianMs / baselineMs) } };
    },
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
