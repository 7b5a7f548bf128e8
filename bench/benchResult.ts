/** One benchmark figure: median and spread over repeated samples, and optional ratios to a baseline. */
export interface BenchResult {
  name: string;
  samples: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  ratios: Record<string, number>;
  /** For per-run figures: the median divided by the number of recipes. */
  perRecipeMs?: number;
}
