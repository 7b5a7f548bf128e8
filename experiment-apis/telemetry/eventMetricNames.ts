/** How a Normandy event's method and object name its Glean event metric. */

/**
 * Normandy's TelemetryEvents: the camelCase of `method_object`, e.g. enrollFailed + addon_study →
 * `enrollFailedAddonStudy`, i.e. `Glean.normandy.enrollFailedAddonStudy`.
 */
export function gleanEventName(method: string, object: string): string {
  return camelCase(`${method}_${object}`);
}

/** How Glean's JS API names a snake_case category or metric: `recipe_client` → `recipeClient`. */
export function camelCase(snakeCase: string): string {
  const [first = "", ...rest] = snakeCase.split("_");
  return first + rest.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("");
}

/**
 * The snake_case metric name Glean registers for that event, e.g. `enroll_failed_addon_study` (Glean
 * exposes it to JS under the camelCase name above).
 */
export function eventMetricName(method: string, object: string): string {
  return `${method.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}_${object}`;
}
