import { errorMessage } from "../core/index.js";
import {
  evaluateFilter,
  explainFilter,
  FilterSyntaxError,
  type FilterExplanation,
  type FilterOptions,
  type Recipe,
} from "../core/index.js";
import type { RunFilterContext } from "./filterContext.js";
import { settledJson } from "./settledJson.js";

/**
 * What the QA console shows for an expression: its value (as JSON), or why it failed and, for syntax, where;
 * and, unless it does not parse, its explanation (each sub-expression's value, the deciding clauses marked).
 */
export type FilterEvaluation =
  | { ok: true; value: unknown; matches: boolean; explanation: FilterExplanation }
  | { ok: false; error: string; position?: number; explanation?: FilterExplanation };

/** A playground expression is evaluated as the filter of this recipe: `normandy.recipe` is `{id: 0, arguments: {}}`. */
const PLAYGROUND_RECIPE: Recipe = {
  id: 0,
  name: "QA console playground",
  revision_id: "0",
  action: "console-log",
  arguments: {},
  filter_expression: "",
};

/**
 * Evaluates `expression` the way the runner evaluates a recipe's filter (same context, prefs reader and matcher),
 * so QA can see what a filter will make of this client before publishing it.
 */
export function evaluatePlaygroundFilter(
  expression: string,
  context: RunFilterContext,
  options: FilterOptions,
): Promise<FilterEvaluation> {
  return evaluateRecipeFilter({ ...PLAYGROUND_RECIPE, filter_expression: expression }, context, options);
}

/**
 * Evaluates a recipe's filter as the runner does (`normandy.recipe` is that recipe) and explains it: what the
 * console shows when QA asks why a recipe of a run did or did not match. The explanation is made on request
 * only, never by a run, and from the same evaluator, so it cannot tell another verdict than the run's.
 */
export async function evaluateRecipeFilter(
  recipe: Recipe,
  context: RunFilterContext,
  options: FilterOptions,
): Promise<FilterEvaluation> {
  const recipeContext = context.forRecipe(recipe);
  let explanation: FilterExplanation;
  try {
    explanation = await explainFilter(recipe.filter_expression, recipeContext, options);
  } catch (error) {
    if (error instanceof FilterSyntaxError) return { ok: false, error: error.message, position: error.position };
    return { ok: false, error: errorMessage(error) };
  }
  try {
    const value = await evaluateFilter(recipe.filter_expression, recipeContext, options);
    // As JSON so a message can carry it (promises inside awaited, dates as ISO strings); undefined shows as null.
    return { ok: true, value: (await settledJson(value)) ?? null, matches: Boolean(value), explanation };
  } catch (error) {
    return { ok: false, error: errorMessage(error), explanation };
  }
}
