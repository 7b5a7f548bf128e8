/** What a figure counts: a time, a memory size, a rate or a ratio. */
export type FigureUnit = "ms" | "MiB" | "evaluations/s" | "events/s" | "×";

/** One benchmark figure: median and spread over repeated samples, and optional ratios to baselines. */
export interface BenchResult {
  name: string;
  unit: FigureUnit;
  samples: number;
  median: number;
  min: number;
  max: number;
  /** Baseline name → this figure's median divided by the baseline's, both measured side by side in this run. */
  ratios: Record<string, number>;
  /** For per-run figures: the median divided by the number of recipes. */
  perRecipeMs?: number;
  /** For whole runs: the median time of each stage of the run report (fetch, verify, …), in ms. */
  stages?: Record<string, number>;
  /** The target this figure is read against, and whether this run's median meets it: a report, not a test. */
  target?: { goal: string; met: boolean };
  /** What the figure means, where its name cannot say it. */
  note?: string;
}
