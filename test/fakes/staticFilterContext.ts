import { filterContextFor, prefetchAttributes, type RunFilterContext } from "../../src/context/filterContext.js";

/** A run's filter context over a plain attributes object (values or getters), as fakes and unit tests use it. */
export function staticFilterContext(attributes: object): RunFilterContext {
  return {
    forRecipe: (recipe) => filterContextFor(attributes, recipe),
    prefetch: (names) => prefetchAttributes(attributes, names),
  };
}
