import { FILTER_TRANSFORM_NAMES } from "../core/index.js";
import { CONTEXT_ATTRIBUTE_NAMES } from "./contextAttributes.js";

/** `normandy` is the historic name of the context, `env` the newer one; both hold the same attributes. */
const CONTEXT_NAMESPACES = ["env", "normandy"] as const;

/**
 * What this client supports for recipe `capabilities`, as Normandy's `RecipeRunner.getCapabilities()`:
 * `capabilities-v1`, `jexl.transform.<name>` for every filter transform, `jexl.context.<namespace>` and
 * `jexl.context.<namespace>.<attribute>` for every context attribute. The actions' own `action.<name>`
 * capabilities are not here: the runner adds those from the run's ActionsManager.
 */
export function baseCapabilities(): string[] {
  return [
    "capabilities-v1",
    ...FILTER_TRANSFORM_NAMES.map((name) => `jexl.transform.${name}`),
    ...CONTEXT_NAMESPACES.flatMap((namespace) => [
      `jexl.context.${namespace}`,
      ...CONTEXT_ATTRIBUTE_NAMES.map((attribute) => `jexl.context.${namespace}.${attribute}`),
    ]),
  ];
}
