import { ACTION_SCHEMAS, type Recipe } from "../core/index.js";
import type { PreferenceRollouts } from "../rollouts/PreferenceRollouts.js";
import { BaseAction } from "./BaseAction.js";

/**
 * `preference-rollback` (Normandy's PreferenceRollbackAction): puts the prefs of the rollout `rolloutSlug`
 * back to their previous defaults, for everyone the filter matches. Not gated by the studies opt-out.
 */
export class PreferenceRollbackAction extends BaseAction {
  readonly name = "PreferenceRollbackAction";
  protected readonly schema = ACTION_SCHEMAS["preference-rollback"];

  constructor(private readonly rollouts: PreferenceRollouts) {
    super();
  }

  protected async run(recipe: Recipe): Promise<void> {
    await this.rollouts.rollBack(recipe.arguments.rolloutSlug as string);
  }
}
