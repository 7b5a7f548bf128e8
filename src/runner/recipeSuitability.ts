import { errorMessage, type Recipe, type Suitability } from "../core/index.js";

/** A recipe's suitability, and why when it is not a match. */
export interface SuitabilityVerdict {
  suitability: Suitability;
  detail?: string;
}

/**
 * Normandy's checks after the signature, in its order: the client must have every capability the recipe
 * requires (the filter is then not evaluated), then the filter decides, any truthy value matching (a non-empty
 * array counts). `evaluateFilter` is null when the filter is bypassed (QA's "Run here"); `onFilterError` hears
 * of a filter that threw.
 */
export async function capabilitiesThenFilter(
  recipe: Recipe,
  capabilities: ReadonlySet<string>,
  evaluateFilter: (() => Promise<unknown>) | null,
  onFilterError: (error: unknown) => void = () => undefined,
): Promise<SuitabilityVerdict> {
  const missing = missingCapabilities(recipe, capabilities);
  if (missing.length > 0)
    return { suitability: "capabilities-mismatch", detail: `unsupported capabilities: ${missing.join(", ")}` };
  if (evaluateFilter === null) return { suitability: "filter-match" };
  try {
    return (await evaluateFilter())
      ? { suitability: "filter-match" }
      : { suitability: "filter-mismatch", detail: "filter expression is false" };
  } catch (error) {
    onFilterError(error);
    return { suitability: "filter-error", detail: `filter expression failed: ${errorMessage(error)}` };
  }
}

/** The capabilities `recipe` requires that this client lacks (a recipe without a list requires none). */
export function missingCapabilities(recipe: Recipe, capabilities: ReadonlySet<string>): string[] {
  return Array.isArray(recipe.capabilities)
    ? recipe.capabilities.filter((capability) => !capabilities.has(capability))
    : [];
}
