import { ACTION_SCHEMAS, type Recipe } from "../core/index.js";
import type { AddonRollouts } from "../rollouts/AddonRollouts.js";
import { BaseAction } from "./BaseAction.js";

/**
 * `addon-rollout` (Normandy's AddonRolloutAction, reference §2.5): installs the package `extensionApiId`
 * names for everyone the filter matches and keeps it at the package's version. Not a study: the studies
 * opt-out does not disable it, and a recipe that is gone leaves the add-on installed (only a rollback
 * removes it).
 */
export class AddonRolloutAction extends BaseAction {
  readonly name = "AddonRolloutAction";
  protected readonly schema = ACTION_SCHEMAS["addon-rollout"];

  constructor(private readonly rollouts: AddonRollouts) {
    super();
  }

  protected async run(recipe: Recipe): Promise<void> {
    const { slug, extensionApiId } = recipe.arguments as { slug: string; extensionApiId: number };
    await this.rollouts.apply(recipe.id, slug, extensionApiId);
  }
}
