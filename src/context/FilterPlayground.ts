import { errorMessage } from "../actions/BaseAction.js";
import { evaluateFilter, FilterSyntaxError, type FilterOptions, type Recipe } from "../core/index.js";
import type { RunFilterContext } from "../runner/filterContext.js";
import { settledJson } from "./settledJson.js";

/** What the QA console shows for an expression: its value (as JSON), or why it failed and, for syntax, where. */
export type FilterEvaluation =
  | { ok: true; value: unknown; matches: boolean }
  | { ok: false; error: string; position?: number };

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
export async function evaluatePlaygroundFilter(
  expression: string,
  context: RunFilterContext,
  options: FilterOptions,
): Promise<FilterEvaluation> {
  try {
    const value = await evaluateFilter(expression, context.forRecipe(PLAYGROUND_RECIPE), options);
    // As JSON so a message can carry it (promises inside awaited, dates as ISO strings); undefined shows as null.
    return { ok: true, value: (await settledJson(value)) ?? null, matches: Boolean(value) };
  } catch (error) {
    if (error instanceof FilterSyntaxError) return { ok: false, error: error.message, position: error.position };
    return { ok: false, error: errorMessage(error) };
  }
}
