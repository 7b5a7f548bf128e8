import type { FilterContext, Recipe } from "../core/index.js";

/**
 * The filter context of one run. Client attributes are shared by every recipe of the run (computed at most
 * once, when a filter first reads them); only `recipe` differs between recipes.
 */
export interface RunFilterContext {
  /** The context `recipe`'s filter is evaluated in. */
  forRecipe(recipe: Recipe): FilterContext;
  /**
   * Starts computing the named attributes (names that are not attributes are ignored) now, all at once, for
   * the filters about to read them: otherwise each is computed when a filter first reads it, one after the
   * other, each a round trip to Firefox's parent process or the server.
   */
  prefetch(names: Iterable<string>): void;
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

/** `prefetch` for an object whose own getters compute attributes: reads each named one, which starts it. */
export function prefetchAttributes(attributes: object, names: Iterable<string>): void {
  for (const name of names) {
    if (!Object.hasOwn(attributes, name)) continue;
    const value: unknown = (attributes as Record<string, unknown>)[name];
    // A failure is for the filters that read the attribute to report, not an unhandled rejection here.
    if (value instanceof Promise) value.catch(() => undefined);
  }
}
