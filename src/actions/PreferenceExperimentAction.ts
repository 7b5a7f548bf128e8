import type { ForcedEnrollment } from "../core/index.js";
import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import { ACTION_SCHEMAS, ratioSample, type JsonSchema, type Recipe } from "../core/index.js";
import type { PreferenceExperiment, PreferenceExperimentStore } from "../stores/PreferenceExperimentStore.js";
import type { BranchPreference, PreferenceExperiments } from "../studies/PreferenceExperiments.js";
import { temporaryErrorStep } from "../studies/temporaryErrors.js";
import type { FinalizeOptions } from "./BaseAction.js";
import { BaseStudyAction } from "./BaseStudyAction.js";
import type { Suitability } from "../core/index.js";

export { TEMPORARY_ERROR_GRACE_MS } from "../studies/temporaryErrors.js";

/** The multi-preference arguments, as the schema guarantees them after validation. */
export interface ExperimentArguments {
  slug: string;
  /** Null for legacy single-preference experiments, which have none. */
  userFacingName: string | null;
  userFacingDescription: string | null;
  isHighPopulation?: boolean;
  isEnrollmentPaused: boolean;
  branches: { slug: string; ratio: number; preferences: Record<string, BranchPreference> }[];
}

export interface PreferenceExperimentActionDeps {
  prefs: PrefsApi;
  experiments: PreferenceExperiments;
  store: PreferenceExperimentStore;
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
 * `multi-preference-experiment` (Normandy's PreferenceExperimentAction, reference §2.2): enrolls a client
 * once per slug in the branch `ratioSample("<userId>-<slug>-branch", ratios)` picks, keeps it enrolled while
 * the recipe matches, and unenrolls when the recipe stops matching, goes unseen, loses its capabilities or
 * its arguments, or suffers temporary errors (signature, filter, no recipes) for more than 7 days.
 */
export class PreferenceExperimentAction extends BaseStudyAction {
  readonly name: string = "PreferenceExperimentAction";
  protected readonly schema: JsonSchema = ACTION_SCHEMAS["multi-preference-experiment"];
  private readonly seenSlugs = new Set<string>();

  constructor(private readonly deps: PreferenceExperimentActionDeps) {
    super(deps.prefs);
  }

  /** The arguments in the multi-preference shape (the legacy single-preference action rewrites them). */
  protected experimentArguments(args: Record<string, unknown>): ExperimentArguments {
    return args as unknown as ExperimentArguments;
  }

  protected override async processRecipeWith(recipe: Recipe, suitability: Suitability): Promise<void> {
    // Without valid arguments there may be no slug, and then no experiment to act on.
    const slug =
      typeof recipe.arguments.slug === "string" && recipe.arguments.slug !== "" ? recipe.arguments.slug : null;
    if (slug !== null) this.seenSlugs.add(slug);
    const experiment = slug === null ? undefined : await this.deps.store.get(slug);
    // QA forced it here: its filter, branch and recipe are QA's choice until QA's undo.
    if (experiment?.forced && !experiment.expired) return;
    if (suitability === "filter-match") return this.run(recipe, experiment);
    if (!experiment || experiment.expired) return;
    switch (suitability) {
      case "signature-error":
      case "filter-error":
        return this.considerTemporaryError(experiment, suitability);
      case "capabilities-mismatch":
        // Normandy's unenroll reason is singular here.
        return this.deps.experiments.stop(experiment.slug, { reason: "capability-mismatch" });
      case "filter-mismatch":
      case "arguments-invalid":
        return this.deps.experiments.stop(experiment.slug, { reason: suitability });
    }
  }

  /** A matching recipe: enroll when never enrolled, keep an active experiment seen; an expired one stays over. */
  protected async run(recipe: Recipe, stored?: PreferenceExperiment): Promise<void> {
    const args = this.experimentArguments(recipe.arguments);
    const experiment = stored ?? (await this.deps.store.get(args.slug));
    if (!experiment) {
      await this.enroll(args);
    } else if (!experiment.expired) {
      await this.deps.store.update(experiment.slug, (stored) => {
        stored.temporaryErrorDeadline = null;
        stored.lastSeen = this.now().toJSON();
      });
    }
  }

  /**
   * Ends this action's experiments whose recipe was not seen in this run ("recipe-not-seen"); when the
   * server delivered no recipes at all, that is a temporary error instead. Experiments of other actions are
   * theirs to end.
   */
  protected override async finalizeRun({ noRecipes }: FinalizeOptions): Promise<void> {
    if (noRecipes && this.seenSlugs.size > 0) throw new Error("noRecipes is true, but some recipes were seen");
    for (const experiment of await this.deps.store.getAllActive()) {
      if (experiment.actionName !== this.name || experiment.forced) continue;
      if (noRecipes) {
        await this.considerTemporaryError(experiment, "no-recipes");
      } else if (!this.seenSlugs.has(experiment.slug)) {
        try {
          await this.deps.experiments.stop(experiment.slug, { reason: "recipe-not-seen" });
        } catch (error) {
          this.deps.warn(`Stopping experiment ${experiment.slug} failed: ${String(error)}`);
        }
      }
    }
  }

  private async enroll(args: ExperimentArguments): Promise<void> {
    const { slug, branches } = args;
    // Normandy refuses a recipe that could touch a pref an active experiment holds, whichever branch it
    // would pick; this fails the recipe (apply_error) without an enrollFailed event.
    const active = await this.deps.store.getAllActive();
    for (const branch of branches) {
      const conflict = Object.keys(branch.preferences).find((name) =>
        active.some((other) => Object.hasOwn(other.preferences, name)),
      );
      if (conflict !== undefined) {
        throw new Error(
          `Experiment ${slug} ignored; another active experiment is already using the ${conflict} preference`,
        );
      }
    }
    if (args.isEnrollmentPaused) return;
    const branch = await this.chooseBranch(slug, branches);
    await this.deps.experiments.start({
      slug,
      actionName: this.name,
      branch: branch.slug,
      preferences: branch.preferences,
      experimentType: args.isHighPopulation ? "exp-highpop" : "exp",
      userFacingName: args.userFacingName,
      userFacingDescription: args.userFacingDescription,
      ...(this.deps.forced ? { forced: this.deps.forced } : {}),
    });
  }

  /**
   * The input is per user and per experiment, and differs from any recipe-sampling input, so branches do
   * not line up with the recipe's sample. An empty branch list throws (as Normandy's ratioSample does).
   */
  private async chooseBranch(slug: string, branches: ExperimentArguments["branches"]) {
    const index = await ratioSample(
      `${await this.deps.userId()}-${slug}-branch`,
      branches.map((branch) => branch.ratio),
    );
    return branches[index]!;
  }

  /** A temporary error: starts the 7-day deadline, or ends the experiment with `reason` once it has passed. */
  private async considerTemporaryError(experiment: PreferenceExperiment, reason: string): Promise<void> {
    const step = temporaryErrorStep(experiment.temporaryErrorDeadline, this.now());
    if (step.kind === "set-deadline") {
      await this.deps.store.update(experiment.slug, (stored) => {
        stored.temporaryErrorDeadline = step.deadline;
      });
    } else if (step.kind === "end") {
      await this.deps.experiments.stop(experiment.slug, { reason });
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
