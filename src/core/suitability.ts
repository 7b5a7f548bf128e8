/**
 * How a recipe relates to this client, decided by the runner before any action sees it (Normandy's
 * `RECIPE_SUITABILITY_*`). `signature-error` and `filter-error` are temporary: an action may keep an
 * enrollment alive through them for a grace period. The others are permanent.
 */
export const SUITABILITIES = [
  "signature-error",
  "capabilities-mismatch",
  "filter-match",
  "filter-mismatch",
  "filter-error",
  "arguments-invalid",
] as const;
export type Suitability = (typeof SUITABILITIES)[number];
