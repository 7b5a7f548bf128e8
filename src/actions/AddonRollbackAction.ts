import { ACTION_SCHEMAS, type Recipe } from "../core/index.js";
import type { AddonRollouts } from "../rollouts/AddonRollouts.js";
import { BaseAction } from "./BaseAction.js";

/**
 * `addon-rollback` (Normandy's AddonRollbackAction): uninstalls the add-on of the rollout `rolloutSlug` and
 * marks it rolled back. A rollout this client never had, or already rolled back, is skipped silently.
 */
export class AddonRollbackAction extends BaseAction {
  readonly name = "AddonRollbackAction";
  protected readonly schema = ACTION_SCHEMAS["addon-rollback"];

  constructor(private readonly rollouts: AddonRollouts) {
    super();
  }

  protected async run(recipe: Recipe): Promise<void> {
    await this.rollouts.rollBack(recipe.arguments.rolloutSlug as string);
  }
}
