import { ACTION_SCHEMAS, type ForcedEnrollment, type Recipe } from "../core/index.js";
import type { PreferenceRollouts, RolloutPreferenceArgument } from "../rollouts/PreferenceRollouts.js";
import { BaseAction } from "./BaseAction.js";

/**
 * `preference-rollout` (Normandy's PreferenceRolloutAction): sets the recipe's prefs on the default branch
 * for everyone the filter matches, and follows the recipe's edits. A rollout is not a study, so the studies
 * opt-out does not disable it, and a recipe that is gone leaves the rollout in place (only a rollback ends it).
 */
export class PreferenceRolloutAction extends BaseAction {
  readonly name = "PreferenceRolloutAction";
  protected readonly schema = ACTION_SCHEMAS["preference-rollout"];

  /** `forced`: only for QA's "Run here", whose rollout is then marked forced (see PreferenceRollouts.rollOut). */
  constructor(
    private readonly rollouts: PreferenceRollouts,
    private readonly forced?: ForcedEnrollment,
  ) {
    super();
  }

  protected async run(recipe: Recipe): Promise<void> {
    const { slug, preferences } = recipe.arguments as { slug: string; preferences: RolloutPreferenceArgument[] };
    await this.rollouts.rollOut(slug, preferences, this.forced);
  }
}
