import type { Recipe } from "../core/index.js";
import type { ActionOutcome, BaseAction, FinalizeOptions, RecipeOutcome } from "./BaseAction.js";
import type { Suitability } from "../core/index.js";

/**
 * Routes each recipe to the action its `action` field names and finalizes every registered action at the
 * end of a run, used or not.
 */
export class ActionsManager {
  constructor(private readonly actions: ReadonlyMap<string, BaseAction>) {}

  /** The capabilities this client advertises for its actions: `action.<name>`. */
  capabilities(): string[] {
    return [...this.actions.keys()].map((name) => `action.${name}`);
  }

  processRecipe(recipe: Recipe, suitability: Suitability): Promise<RecipeOutcome> {
    const action = this.actions.get(recipe.action);
    if (!action) {
      // Normandy: RECIPE_INVALID_ACTION, unless the recipe was already ruled out by its capabilities.
      if (suitability === "capabilities-mismatch") return Promise.resolve({ status: "backoff", suitability });
      return Promise.resolve({
        status: "download_error",
        suitability,
        detail: `unknown action ${JSON.stringify(recipe.action)}`,
      });
    }
    // Not an async function: a run hands over a thousand recipes, and a wrapper promise for each adds up.
    return action.processRecipe(recipe, suitability);
  }

  /**
   * Finalizes every action once (one action may serve several names, e.g. the legacy single-preference
   * aliases); returns each action's own outcome (uptake status, and why it failed) by class name.
   */
  async finalize(options: FinalizeOptions): Promise<Map<string, ActionOutcome>> {
    const outcomes = new Map<string, ActionOutcome>();
    for (const action of new Set(this.actions.values())) {
      outcomes.set(action.name, await action.finalize(options));
    }
    return outcomes;
  }
}
