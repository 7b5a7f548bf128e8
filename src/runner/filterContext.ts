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
 * same object, with the client `attributes` plus `recipe` holding only the recipe's id and arguments.
 * The attributes are inherited, not copied, so their getters run only when a filter reads them, and a
 * recipe's context costs one object (copying two dozen accessors per recipe cost a warm run of 1,000
 * recipes about 20 ms in Firefox).
 */
export function filterContextFor(attributes: object, recipe: Recipe): FilterContext {
  const normandy: Record<string, unknown> = Object.create(attributes);
  normandy.recipe = { id: recipe.id, arguments: recipe.arguments };
  return { normandy, env: normandy };
}
