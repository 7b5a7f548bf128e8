import type { PrefValue } from "../../experiment-apis/prefs/interface.js";
import type { UptakeStatus } from "../../experiment-apis/telemetry/interface.js";
import type { ActionsManager } from "../actions/ActionsManager.js";
import type { RecipeOutcome } from "../actions/BaseAction.js";
import {
  errorMessage,
  evaluateFilter,
  isLowerCaseUuid,
  NOT_APPLICABLE,
  type FilterPrefsReader,
  type Recipe,
  type RegExpMatcher,
  RUN_HERE_MODES,
  type RunHereMode,
  type Suitability,
} from "../core/index.js";
import type { RunFilterContext } from "../context/filterContext.js";
import type { EventLogContents, LoggedEvent } from "../stores/EventLogStore.js";
import type { PreferenceExperimentStore } from "../stores/PreferenceExperimentStore.js";
import type { ForcedEnrollment } from "../core/index.js";
import type { PreferenceExperiments } from "../studies/PreferenceExperiments.js";
import type { AddonStudies } from "../studies/AddonStudies.js";
import type { PreferenceRollouts } from "../rollouts/PreferenceRollouts.js";
import type { PreferenceRolloutStore } from "../stores/PreferenceRolloutStore.js";
import type { AddonStudyStore } from "../stores/AddonStudyStore.js";
import type { AddonInfo } from "../../experiment-apis/addons/interface.js";
import type { ClientPingRecorder } from "../telemetry/ClientPingRecorder.js";
import type { PreviewRecipes } from "./RecipeRunner.js";
import { capabilitiesThenFilter, type SuitabilityVerdict } from "./recipeSuitability.js";

/** Where the recipe comes from: the last verified collection, or the server's signed preview collection. */
export type RunHereSource = "published" | "preview";

/** A type, not an interface: the pages send it as a JSON message. */
export type RunHereRequest = {
  source: RunHereSource;
  recipeId: number;
  mode: RunHereMode;
  /** The branch slug QA chose: required for BRANCH_CHOSEN, refused otherwise. */
  branch?: string;
};

/**
 * A pref a recipe may set, with its value in use (the user value if there is one, else the default) and its value
 * on the default branch, before and after; null where there is none.
 */
export interface PrefChange {
  name: string;
  before: PrefValue | null;
  after: PrefValue | null;
  defaultBefore: PrefValue | null;
  defaultAfter: PrefValue | null;
}

type PrefReading = { value: PrefValue | null; defaultValue: PrefValue | null };

export interface RunHereResult {
  recipe: { id: number; name: string; action: string; revision: string };
  source: RunHereSource;
  mode: RunHereMode;
  suitability: Suitability;
  status: UptakeStatus;
  /** Why the recipe did not act, or what went wrong. */
  detail?: string;
  /** The study this run enrolled (forced), if it enrolled one. */
  study: { slug: string; branch: string; enrollmentId: string } | null;
  /** Every pref any branch of the recipe names, before and after. */
  prefs: PrefChange[];
  /** The add-ons installed, removed or changed while the recipe ran here. */
  addons: AddonChange[];
  /** The events recorded while the recipe ran here, oldest first. */
  events: LoggedEvent[];
  /** Something QA should know that did not stop the run: the forced mark could not be recorded. */
  warning?: string;
}

/** An add-on installed (before null), uninstalled (after null) or changed, by its version. */
export interface AddonChange {
  id: string;
  name: string;
  before: string | null;
  after: string | null;
}

/** What was there before a run here or an undo, to say what changed. */
interface Snapshot {
  prefNames: readonly string[];
  prefs: PrefReading[];
  addons: AddonInfo[];
  eventCount: number;
}

export interface UndoResult {
  slug: string;
  /** Every pref of a preference study, before and after the undo. */
  prefs: PrefChange[];
  /** The study's add-on uninstalled, for an add-on study. */
  addons: AddonChange[];
  events: LoggedEvent[];
  /** As in RunHereResult. */
  warning?: string;
}

/** One recipe QA may run here: what the console offers for it. */
export interface RunHereCandidate {
  source: RunHereSource;
  id: number;
  name: string;
  action: string;
  revision: string;
  /** The branches QA may choose (empty for an action without branches). */
  branches: string[];
  /** Why it cannot run here, or null. */
  unsupported: string | null;
}

export interface RunHereCandidates {
  candidates: RunHereCandidate[];
  /** Previews that failed verification, with why; or why the preview collection could not be read at all. */
  refusedPreviews: PreviewRecipes["refused"];
  previewError: string | null;
}

export interface RecipeRunHereDeps {
  runner: {
    exclusively<T>(work: () => Promise<T>): Promise<T>;
    verifiedRecipes(): Promise<Recipe[]>;
    verifiedPreviewRecipes(): Promise<PreviewRecipes>;
  };
  /** The actions of one run, whose enrollments are marked `forced`. */
  createActions(forced: ForcedEnrollment): ActionsManager;
  createFilterContext(): RunFilterContext;
  filterPrefs: FilterPrefsReader;
  regExpMatch: RegExpMatcher;
  baseCapabilities: readonly string[];
  prefs: { getPref(name: string, branch: "user" | "default"): Promise<PrefValue | null> };
  experiments: Pick<PreferenceExperiments, "undoForced">;
  store: Pick<PreferenceExperimentStore, "get">;
  addonStudies: Pick<AddonStudies, "undoForced">;
  rollouts: Pick<PreferenceRollouts, "undoForced">;
  rolloutStore: Pick<PreferenceRolloutStore, "get">;
  addonStudyStore: Pick<AddonStudyStore, "get" | "getAll">;
  addons: { listAddons(): Promise<AddonInfo[]> };
  pings: Pick<ClientPingRecorder, "record">;
  /** Why the client does not run at all now (`extensions.recipeclient.enabled` false), or null: run here obeys it too. */
  disabledReason(): Promise<string | null>;
  eventLog: { read(): Promise<EventLogContents> };
  now(): Date;
}

/** The preference-study actions (one class serves the legacy single-preference names): studies keyed by slug. */
const PREFERENCE_STUDY_ACTIONS: readonly string[] = [
  "multi-preference-experiment",
  "single-preference-experiment",
  "preference-experiment",
];
/** The add-on study action: studies keyed by recipe id. */
const ADDON_STUDY_ACTION = "branched-addon-study";
/** The study actions, which can run here. */
const STUDY_ACTIONS: readonly string[] = [...PREFERENCE_STUDY_ACTIONS, ADDON_STUDY_ACTION];
/** The preference rollout action: rollouts keyed by slug, without branches. */
const ROLLOUT_ACTION = "preference-rollout";
/** Actions without lasting state, which run here as they would in a run. */
const STATELESS_ACTIONS: readonly string[] = ["console-log"];

/** What run here needs of a study or rollout record, whatever its kind (a rollout's branch is "n/a"). */
interface StudyState {
  slug: string;
  branch: string;
  enrollmentId: string;
  active: boolean;
  forced?: ForcedEnrollment;
  /** The prefs it sets (none for an add-on study, whose change shows in the add-ons). */
  prefs: string[];
  undo(): Promise<void>;
}

/**
 * QA's "Run here": one verified recipe (published, or a draft the server signed into its preview collection) run
 * through its real action on this client only, as is, with its filter bypassed, or in a branch QA chose; then
 * what changed. Only a recipe whose collection and own signature verified is ever run: the branch choice runs a
 * local copy of that verified recipe with the other branches left out, which changes which branch the action
 * picks and nothing else. The action is not finalized (that would end every study whose recipe this one-recipe
 * "run" did not include), and the enrollment is marked forced, so normal runs leave it alone until QA's undo.
 * It never overlaps a run.
 */
export class RecipeRunHere {
  constructor(private readonly deps: RecipeRunHereDeps) {}

  /** The recipes QA may run here, published and previewed, each with its branches or why it cannot run. */
  async candidates(): Promise<RunHereCandidates> {
    const published = (await this.deps.runner.verifiedRecipes()).map((recipe) => candidate("published", recipe));
    let preview: PreviewRecipes = { verified: [], refused: [] };
    let previewError: string | null = null;
    try {
      preview = await this.deps.runner.verifiedPreviewRecipes();
    } catch (error) {
      previewError = errorMessage(error);
    }
    return {
      candidates: [...published, ...preview.verified.map((recipe) => candidate("preview", recipe))],
      refusedPreviews: preview.refused,
      previewError,
    };
  }

  run(request: RunHereRequest): Promise<RunHereResult> {
    return this.deps.runner.exclusively(() => this.runOnce(request));
  }

  /**
   * Ends a forced enrollment (reason `qa-undo`: prefs put back, or the study's add-on uninstalled) and forgets it;
   * see the `undoForced` of PreferenceExperiments, AddonStudies and PreferenceRollouts.
   */
  undo(slug: string): Promise<UndoResult> {
    return this.deps.runner.exclusively(async () => {
      const study = await this.forcedStudy(slug);
      if (!study?.forced)
        throw new Error(`"${slug}" is not an active enrollment forced by QA: there is nothing to undo`);
      const before = await this.snapshot(study.prefs);
      await study.undo();
      // After the undo succeeded: a FORCED_UNDO must never stand for an undo that did not happen.
      const unmarked = await this.markForced(
        "FORCED_UNDO",
        "n/a",
        forcedFields(study.forced.recipeId, slug, study.branch, study.enrollmentId),
      );
      return { slug, ...(await this.changesSince(before)), ...(unmarked ? { warning: unmarked } : {}) };
    });
  }

  /**
   * Records a `qa` ping; returns null, or why it could not be recorded (a slug or branch outside the ping's rules,
   * e.g. with a dot): the study is enrolled or undone by then, and telemetry that fails never changes that.
   */
  private async markForced(
    event: "FORCED_ENROLLMENT" | "FORCED_UNDO",
    value: string,
    fields: Record<string, string>,
  ): Promise<string | null> {
    try {
      await this.deps.pings.record({ type: "qa", event, value, fields });
      return null;
    } catch (error) {
      return `the ${event} telemetry mark was not recorded: ${errorMessage(error)}`;
    }
  }

  /** The active forced study or rollout with this slug, whatever its kind. */
  private async forcedStudy(slug: string): Promise<StudyState | undefined> {
    const experiment = await this.preferenceStudy(slug);
    if (experiment?.forced && experiment.active) return experiment;
    const addonStudy = (await this.deps.addonStudyStore.getAll()).find(
      (study) => study.slug === slug && study.forced && study.active,
    );
    if (addonStudy) return this.addonStudy(addonStudy.recipeId);
    const rollout = await this.rollout(slug);
    return rollout?.forced && rollout.active ? rollout : undefined;
  }

  private async rollout(slug: string): Promise<StudyState | undefined> {
    const rollout = await this.deps.rolloutStore.get(slug);
    if (!rollout) return undefined;
    return {
      slug,
      branch: NOT_APPLICABLE,
      enrollmentId: rollout.enrollmentId,
      active: rollout.state === "active",
      ...(rollout.forced ? { forced: rollout.forced } : {}),
      prefs: rollout.preferences.map(({ preferenceName }) => preferenceName),
      undo: () => this.deps.rollouts.undoForced(slug),
    };
  }

  private async preferenceStudy(slug: string): Promise<StudyState | undefined> {
    const experiment = await this.deps.store.get(slug);
    if (!experiment) return undefined;
    return {
      slug,
      branch: experiment.branch,
      enrollmentId: experiment.enrollmentId,
      active: !experiment.expired,
      ...(experiment.forced ? { forced: experiment.forced } : {}),
      prefs: Object.keys(experiment.preferences),
      undo: () => this.deps.experiments.undoForced(slug),
    };
  }

  private async addonStudy(recipeId: number): Promise<StudyState | undefined> {
    const study = await this.deps.addonStudyStore.get(recipeId);
    if (!study) return undefined;
    return {
      slug: study.slug,
      branch: study.branch,
      enrollmentId: study.enrollmentId,
      active: study.active,
      ...(study.forced ? { forced: study.forced } : {}),
      prefs: [],
      undo: () => this.deps.addonStudies.undoForced(recipeId),
    };
  }

  /**
   * The study or rollout `recipe` enrolls: an add-on study by its recipe id, a preference study or rollout by its
   * slug.
   */
  private studyOf(recipe: Recipe): Promise<StudyState | undefined> {
    if (recipe.action === ADDON_STUDY_ACTION) return this.addonStudy(recipe.id);
    const slug = slugKey(recipe);
    if (slug === null) return Promise.resolve(undefined);
    return recipe.action === ROLLOUT_ACTION ? this.rollout(slug) : this.preferenceStudy(slug);
  }

  /** What run here shows as changed: the prefs a recipe names, the add-ons installed, the events recorded. */
  private async snapshot(prefNames: readonly string[]): Promise<Snapshot> {
    return {
      prefNames,
      prefs: await this.prefValues(prefNames),
      addons: await this.deps.addons.listAddons(),
      eventCount: await this.eventCount(),
    };
  }

  private async changesSince(before: Snapshot): Promise<Pick<RunHereResult, "prefs" | "addons" | "events">> {
    return {
      prefs: changes(before.prefNames, before.prefs, await this.prefValues(before.prefNames)),
      addons: addonChanges(before.addons, await this.deps.addons.listAddons()),
      events: await this.eventsSince(before.eventCount),
    };
  }

  private async runOnce(request: RunHereRequest): Promise<RunHereResult> {
    const disabled = await this.deps.disabledReason();
    if (disabled) throw new Error(disabled);
    if (!RUN_HERE_MODES.includes(request.mode) || !["published", "preview"].includes(request.source))
      throw new Error(`not a run-here request: mode ${String(request.mode)}, source ${String(request.source)}`);
    const recipe = await this.findRecipe(request);
    const unsupported = unsupportedReason(recipe);
    if (unsupported) throw new Error(`recipe ${recipe.id} cannot run here: ${unsupported}`);
    await this.refuseEnrolled(recipe);
    const runnable = withChosenBranch(recipe, request);
    const before = await this.snapshot(prefsOf(recipe));

    const forced: ForcedEnrollment = { mode: request.mode, recipeId: recipe.id, at: this.deps.now().toJSON() };
    const actions = this.deps.createActions(forced);
    const { suitability, detail } = await this.suitabilityOf(recipe, request.mode, actions);
    let outcome: RecipeOutcome;
    try {
      outcome = await actions.processRecipe(runnable, suitability);
    } catch (error) {
      outcome = { status: "apply_error", suitability, detail: errorMessage(error) };
    }

    let study: RunHereResult["study"] = null;
    let unmarked: string | null = null;
    // There was no record before (refuseEnrolled), so an active forced one now is this run's.
    const enrolled = await this.studyOf(recipe);
    if (enrolled?.forced && enrolled.active) {
      study = { slug: enrolled.slug, branch: enrolled.branch, enrollmentId: enrolled.enrollmentId };
      // Recorded right after the study's own enroll event; its enrollment id marks that event as forced.
      unmarked = await this.markForced(
        "FORCED_ENROLLMENT",
        request.mode,
        forcedFields(recipe.id, enrolled.slug, enrolled.branch, enrolled.enrollmentId),
      );
    }
    const why = outcome.detail ?? detail ?? pausedNote(recipe, study, outcome.status);
    return {
      recipe: { id: recipe.id, name: recipe.name, action: recipe.action, revision: recipe.revision_id },
      source: request.source,
      mode: request.mode,
      suitability: outcome.suitability,
      status: outcome.status,
      ...(why ? { detail: why } : {}),
      study,
      ...(await this.changesSince(before)),
      ...(unmarked ? { warning: unmarked } : {}),
    };
  }

  /** The recipe, from a collection that verified and with its own signature verified: never one the page sent. */
  private async findRecipe({ source, recipeId }: RunHereRequest): Promise<Recipe> {
    const recipes =
      source === "published"
        ? await this.deps.runner.verifiedRecipes()
        : (await this.deps.runner.verifiedPreviewRecipes()).verified;
    const recipe = recipes.find(({ id }) => id === recipeId);
    if (recipe) return recipe;
    throw new Error(
      source === "published"
        ? `recipe ${recipeId} is not in the last collection that verified (or its own signature failed): run again first`
        : `recipe ${recipeId} is not a verified recipe of the server's preview collection: sign a preview of it on the server (and check its signature)`,
    );
  }

  /** A study enrolls a client once: QA must end (or undo) what this client holds before running it here. */
  private async refuseEnrolled(recipe: Recipe): Promise<void> {
    const existing = await this.studyOf(recipe);
    if (!existing) return;
    const { slug, branch } = existing;
    if (existing.forced && existing.active)
      throw new Error(`"${slug}" is already forced here (branch ${branch}): undo it first`);
    if (existing.active)
      throw new Error(
        `this client is already enrolled in "${slug}" (branch ${branch}) by a normal run: remove it on the studies page first`,
      );
    throw new Error(
      `this client was enrolled in "${slug}" before and it ended; a study enrolls a client once, so it cannot run here again`,
    );
  }

  /**
   * As in a run (the same checks): the client must support the recipe's capabilities (an action it lacks cannot
   * run, whatever QA asks); the filter decides only AS_IS, evaluated by the run's own evaluator.
   */
  private async suitabilityOf(recipe: Recipe, mode: RunHereMode, actions: ActionsManager): Promise<SuitabilityVerdict> {
    const verdict = await capabilitiesThenFilter(
      recipe,
      new Set([...this.deps.baseCapabilities, ...actions.capabilities()]),
      mode === "AS_IS"
        ? () =>
            evaluateFilter(recipe.filter_expression, this.deps.createFilterContext().forRecipe(recipe), {
              prefs: this.deps.filterPrefs,
              regExpMatch: this.deps.regExpMatch,
            })
        : null,
    );
    return verdict.suitability === "filter-mismatch"
      ? { ...verdict, detail: `${verdict.detail}: bypass the filter to run it anyway` }
      : verdict;
  }

  private async prefValues(names: readonly string[]): Promise<PrefReading[]> {
    const { prefs } = this.deps;
    return Promise.all(
      names.map(async (name) => ({
        value: await prefs.getPref(name, "user"),
        defaultValue: await prefs.getPref(name, "default"),
      })),
    );
  }

  private async eventCount(): Promise<number> {
    const { events, dropped } = await this.deps.eventLog.read();
    return dropped + events.length;
  }

  private async eventsSince(mark: number): Promise<LoggedEvent[]> {
    const { events, dropped } = await this.deps.eventLog.read();
    return events.slice(Math.max(0, mark - dropped));
  }
}

/** The `qa` ping's fields; an enrollment id that is not a UUID (the marker while upload is off) is sent as n/a. */
function forcedFields(recipeId: number, slug: string, branch: string, enrollmentId: string): Record<string, string> {
  return {
    recipe_id: String(recipeId),
    experiment: slug,
    branch,
    enrollment_id: isLowerCaseUuid(enrollmentId) ? enrollmentId : "n/a",
  };
}

function changes(names: readonly string[], before: PrefReading[], after: PrefReading[]): PrefChange[] {
  return names.map((name, index) => ({
    name,
    before: before[index]?.value ?? null,
    after: after[index]?.value ?? null,
    defaultBefore: before[index]?.defaultValue ?? null,
    defaultAfter: after[index]?.defaultValue ?? null,
  }));
}

function addonChanges(before: readonly AddonInfo[], after: readonly AddonInfo[]): AddonChange[] {
  const was = new Map(before.map((addon) => [addon.id, addon]));
  const is = new Map(after.map((addon) => [addon.id, addon]));
  return [...new Set([...was.keys(), ...is.keys()])]
    .filter((id) => was.get(id)?.version !== is.get(id)?.version)
    .map((id) => ({
      id,
      name: (is.get(id) ?? was.get(id))!.name,
      before: was.get(id)?.version ?? null,
      after: is.get(id)?.version ?? null,
    }));
}

/** Why a study action that succeeded enrolled nobody: its recipe pauses enrollment (the action's own rule). */
function pausedNote(recipe: Recipe, study: RunHereResult["study"], status: UptakeStatus): string | undefined {
  if (study !== null || status !== "success" || !STUDY_ACTIONS.includes(recipe.action)) return undefined;
  return recipe.arguments.isEnrollmentPaused === true
    ? "the recipe pauses enrollment (isEnrollmentPaused), so its action enrolls nobody new"
    : undefined;
}

function candidate(source: RunHereSource, recipe: Recipe): RunHereCandidate {
  return {
    source,
    id: recipe.id,
    name: recipe.name,
    action: recipe.action,
    revision: recipe.revision_id,
    branches: branchesOf(recipe).map(({ slug }) => slug),
    unsupported: unsupportedReason(recipe),
  };
}

function unsupportedReason({ action }: Recipe): string | null {
  if (STUDY_ACTIONS.includes(action) || action === ROLLOUT_ACTION || STATELESS_ACTIONS.includes(action)) return null;
  if (action === "show-heartbeat") return 'a survey is shown with "Show now" under Heartbeat surveys';
  return `"Run here" runs preference and add-on studies, preference rollouts and console-log; ${action} is not supported yet`;
}

/** The branches a recipe's arguments list, as far as they are well-formed (the action validates the rest). */
function branchesOf(recipe: Recipe): { slug: string; preferences: string[] }[] {
  const branches = recipe.arguments.branches;
  if (!STUDY_ACTIONS.includes(recipe.action) || !Array.isArray(branches)) return [];
  const single = recipe.arguments.preferenceName;
  return branches.flatMap((branch: unknown) => {
    const { slug, preferences } = (branch ?? {}) as { slug?: unknown; preferences?: unknown };
    if (typeof slug !== "string") return [];
    // The legacy single-preference shape names its one pref once, for every branch.
    const names =
      typeof single === "string"
        ? [single]
        : typeof preferences === "object" && preferences
          ? Object.keys(preferences)
          : [];
    return [{ slug, preferences: names }];
  });
}

function prefsOf(recipe: Recipe): string[] {
  if (recipe.action === ROLLOUT_ACTION) {
    const preferences = recipe.arguments.preferences;
    return Array.isArray(preferences)
      ? preferences.flatMap((preference: unknown) => {
          const name = (preference as { preferenceName?: unknown } | null)?.preferenceName;
          return typeof name === "string" ? [name] : [];
        })
      : [];
  }
  return [...new Set(branchesOf(recipe).flatMap(({ preferences }) => preferences))];
}

/** The slug a preference study or rollout is kept under, or null (another action, or no valid slug). */
function slugKey(recipe: Recipe): string | null {
  const slug = recipe.arguments.slug;
  const keyedBySlug = PREFERENCE_STUDY_ACTIONS.includes(recipe.action) || recipe.action === ROLLOUT_ACTION;
  return keyedBySlug && typeof slug === "string" && slug !== "" ? slug : null;
}

/**
 * The recipe to hand to the action: for BRANCH_CHOSEN, the verified recipe with only the chosen branch (ratio 1),
 * so the action's own branch choice can only pick it.
 */
function withChosenBranch(recipe: Recipe, { mode, branch }: RunHereRequest): Recipe {
  if (mode !== "BRANCH_CHOSEN") {
    if (branch !== undefined) throw new Error(`a branch is chosen only in BRANCH_CHOSEN mode, not ${mode}`);
    return recipe;
  }
  const known = branchesOf(recipe).map(({ slug }) => slug);
  if (branch === undefined || !known.includes(branch))
    throw new Error(
      `choose one of the branches of recipe ${recipe.id}: ${known.join(", ") || "it has none"} (given ${JSON.stringify(branch ?? null)})`,
    );
  const branches = (recipe.arguments.branches as Record<string, unknown>[])
    .filter((candidate) => candidate.slug === branch)
    .map((chosen) => ({ ...chosen, ratio: 1 }));
  return { ...recipe, arguments: { ...recipe.arguments, branches } };
}
