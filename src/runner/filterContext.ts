import type { FilterContext, Recipe } from "../core/index.js";

/** Client facts a filter can read as `normandy.<key>` (and its alias `env.<key>`). */
export type ClientFacts = Record<string, unknown>;

/**
 * The context one recipe's filter is evaluated in, shaped like Normandy's: `normandy` and `env` are the
 * same object, and `normandy.recipe` exposes only the recipe's id and arguments.
 */
export function filterContextFor(facts: ClientFacts, recipe: Recipe): FilterContext {
  const normandy = { ...facts, recipe: { id: recipe.id, arguments: recipe.arguments } };
  return { normandy, env: normandy };
}
