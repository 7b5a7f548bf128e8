import { HttpError } from "./httpResponse.js";
import type { StoredRecipe } from "./recipeStore.js";

/**
 * Normandy's server rule (docs/user/actions/preference-rollback.rst): a rollback and the rollout it undoes are
 * never published together, or every client would roll out and roll back in one run. Throws a 400 naming
 * each enabled `preference-rollback` whose `rolloutSlug` is the `slug` of an enabled `preference-rollout`.
 */
export function assertNoRollbackWithItsRollout(recipes: readonly StoredRecipe[]): void {
  const enabled = recipes.filter((recipe) => recipe.enabled);
  const conflicts: string[] = [];
  for (const rollback of enabled.filter((recipe) => recipe.action === "preference-rollback")) {
    const slug = rollback.arguments["rolloutSlug"];
    for (const rollout of enabled.filter(
      (recipe) => recipe.action === "preference-rollout" && recipe.arguments["slug"] === slug,
    )) {
      conflicts.push(
        `recipe ${rollback.id} ("${rollback.name}") rolls back "${String(slug)}", which recipe ${rollout.id} ("${rollout.name}") rolls out`,
      );
    }
  }
  if (conflicts.length > 0) {
    throw new HttpError(
      400,
      "rollback_with_rollout",
      `cannot publish a rollback together with its rollout; disable one of each pair: ${conflicts.join("; ")}`,
    );
  }
}
