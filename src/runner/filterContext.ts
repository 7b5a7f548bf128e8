import type { FilterContext, Recipe } from "../core/index.js";

/**
 * The filter context of one run. Client attributes are shared by every recipe of the run (computed at most
 * once, when a filter first reads them); only `recipe` differs between recipes.
 */
export interface RunFilterContext {
  /** The context `recipe`'s filter is evaluated in. */
  forRecipe(recipe: Recipe): FilterContext;
}

/**
 * Times the computation of client attributes for the run report's `context` stage: called with each
 * attribute's work, it resolves to that work's result.
 */
export type ContextTimer = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * The context one recipe's filter is evaluated in, shaped like Normandy's: `normandy` and `env` are the
 * same object, holding the client `attributes` plus `recipe` with only the recipe's id and arguments.
 * Property descriptors are copied, not values, so attribute getters run only when a filter reads them.
 */
export function filterContextFor(attributes: object, recipe: Recipe): FilterContext {
  const normandy: Record<string, unknown> = Object.defineProperties({}, Object.getOwnPropertyDescriptors(attributes));
  normandy.recipe = { id: recipe.id, arguments: recipe.arguments };
  return { normandy, env: normandy };
}
