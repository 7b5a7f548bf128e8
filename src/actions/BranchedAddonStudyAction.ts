import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import { ACTION_SCHEMAS, ratioSample, type ForcedEnrollment, type JsonSchema, type Recipe } from "../core/index.js";
import type { AddonStudy, AddonStudyStore } from "../stores/AddonStudyStore.js";
import type { AddonStudies } from "../studies/AddonStudies.js";
import { temporaryErrorStep } from "../studies/temporaryErrors.js";
import type { FinalizeOptions } from "./BaseAction.js";
import { BaseStudyAction } from "./BaseStudyAction.js";
import type { Suitability } from "../core/index.js";

/** The arguments, as the schema guarantees them after validation. */
interface StudyArguments {
  slug: string;
  userFacingName: string;
  userFacingDescription: string;
  isEnrollmentPaused: boolean;
  branches: { slug: string; ratio: number; extensionApiId: number | null }[];
}

export interface BranchedAddonStudyActionDeps {
  prefs: PrefsApi;
  studies: AddonStudies;
  store: AddonStudyStore;
  /** The randomization id (`normandy.userId`) that picks the branch. */
  userId(): Promise<string>;
  warn(message: string): void;
  now?(): Date;
  /**
   * Set only for QA's "Run here": the one recipe handed to the action is enrolled as forced. Without it (every
   * normal run) a forced enrollment is left alone until QA undoes it.
   */
  forced?: ForcedEnrollment;
}

/**
 * `branched-addon-study` (Normandy's BranchedAddonStudyAction, reference §2.4): a recipe enrolls a client
 * once, in the branch `ratioSample("<userId>-<slug>-addon-branch", ratios)` picks, installing that branch's
 * add-on (or none); while the recipe matches, the add-on follows newer versions of the branch's package;
 * the study ends when the recipe stops matching, goes unseen, loses its capabilities, its arguments or the
 * study's branch, or suffers temporary errors for more than 7 days. Studies are keyed by recipe id.
 */
export class BranchedAddonStudyAction extends BaseStudyAction {
  readonly name = "BranchedAddonStudyAction";
  protected readonly schema: JsonSchema = ACTION_SCHEMAS["branched-addon-study"];
  private readonly seenRecipeIds = new Set<number>();

  constructor(private readonly deps: BranchedAddonStudyActionDeps) {
    super(deps.prefs);
  }

  protected override async processRecipeWith(recipe: Recipe, suitability: Suitability): Promise<void> {
    this.seenRecipeIds.add(recipe.id);
    const study = await this.deps.store.get(recipe.id);
    // QA forced it here: its filter, branch and add-on are QA's choice until QA's undo.
    if (study?.forced && study.active) return;
    if (suitability === "filter-match") return this.run(recipe, study);
    if (!study?.active) return;
    switch (suitability) {
      case "signature-error":
      case "filter-error":
        return this.considerTemporaryError(study, suitability);
      case "capabilities-mismatch":
        return this.deps.studies.stop(study.recipeId, "capability-mismatch");
      case "filter-mismatch":
      case "arguments-invalid":
        return this.deps.studies.stop(study.recipeId, suitability);
    }
  }

  /** A matching recipe: enroll when never enrolled, update an active study; an ended one stays over. */
  protected async run(recipe: Recipe, stored?: AddonStudy): Promise<void> {
    const args = recipe.arguments as unknown as StudyArguments;
    const study = stored ?? (await this.deps.store.get(recipe.id));
    if (!study) {
      // Paused recipes enroll nobody new, but still update their enrollees.
      if (args.isEnrollmentPaused) return;
      const branch = await this.chooseBranch(args);
      await this.deps.studies.enroll({
        recipeId: recipe.id,
        slug: args.slug,
        userFacingName: args.userFacingName,
        userFacingDescription: args.userFacingDescription,
        branch: branch.slug,
        extensionApiId: branch.extensionApiId,
        ...(this.deps.forced ? { forced: this.deps.forced } : {}),
      });
    } else if (study.active) {
      // Stay in the stored branch; never sample again.
      const branch = args.branches.find((candidate) => candidate.slug === study.branch);
      if (!branch) return this.deps.studies.stop(study.recipeId, "branch-removed");
      await this.deps.store.update(study.recipeId, (stored) => {
        stored.temporaryErrorDeadline = null;
      });
      await this.deps.studies.update(study.recipeId, branch);
    }
  }

  /**
   * Ends the active studies whose recipe was not seen in this run ("recipe-not-seen"); when the server
   * delivered no recipes at all, that is a temporary error instead.
   */
  protected override async finalizeRun({ noRecipes }: FinalizeOptions): Promise<void> {
    if (noRecipes && this.seenRecipeIds.size > 0) throw new Error("noRecipes is true, but some recipes were seen");
    for (const study of await this.deps.store.getAllActive()) {
      if (study.forced) continue;
      if (noRecipes) {
        await this.considerTemporaryError(study, "no-recipes");
      } else if (!this.seenRecipeIds.has(study.recipeId)) {
        try {
          await this.deps.studies.stop(study.recipeId, "recipe-not-seen");
        } catch (error) {
          this.deps.warn(`Stopping the add-on study ${study.slug} failed: ${String(error)}`);
        }
      }
    }
  }

  /**
   * The input is per user and per study, and differs from any recipe-sampling input and from the
   * preference studies' ("-branch"), so branches do not line up with other samples.
   */
  private async chooseBranch({ slug, branches }: StudyArguments) {
    const index = await ratioSample(
      `${await this.deps.userId()}-${slug}-addon-branch`,
      branches.map((branch) => branch.ratio),
    );
    return branches[index]!;
  }

  /** A temporary error: starts the 7-day deadline, or ends the study with `reason` once it has passed. */
  private async considerTemporaryError(study: AddonStudy, reason: string): Promise<void> {
    const step = temporaryErrorStep(study.temporaryErrorDeadline, this.deps.now?.() ?? new Date());
    if (step.kind === "set-deadline") {
      await this.deps.store.update(study.recipeId, (stored) => {
        stored.temporaryErrorDeadline = step.deadline;
      });
    } else if (step.kind === "end") {
      await this.deps.studies.stop(study.recipeId, reason);
    }
  }
}
