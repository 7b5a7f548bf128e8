import type { UptakeStatus } from "../../experiment-apis/telemetry/interface.js";
import { errorMessage, validateJson, type JsonSchema, type Recipe } from "../core/index.js";
import type { ActionFailure, Suitability } from "../core/index.js";

export type { ActionFailure };

/** What happened to one recipe: its uptake status and, when it is not plain success, why. */
export interface RecipeOutcome {
  status: UptakeStatus;
  suitability: Suitability;
  detail?: string;
}

export interface FinalizeOptions {
  /** True when the server delivered no recipes at all (not "none matched"). */
  noRecipes: boolean;
}

type ActionState = "preparing" | "ready" | "disabled" | "failed" | "finalized";

/** An action's own outcome of a run: its uptake status and, when it failed, why. */
export interface ActionOutcome {
  status: UptakeStatus;
  failure?: ActionFailure;
}

/** Uptake for each suitability that stops a recipe before its action runs. */
const STATUS_BY_SUITABILITY: Record<Exclude<Suitability, "filter-match">, UptakeStatus> = {
  "signature-error": "sign_error",
  "capabilities-mismatch": "backoff",
  "filter-mismatch": "backoff",
  "filter-error": "content_error",
  // Normandy reports invalid arguments as an execution error (RECIPE_EXECUTION_ERROR).
  "arguments-invalid": "apply_error",
};

/**
 * The lifecycle every action shares, as in Normandy: prepared lazily once (`preExecution`), then each recipe
 * is processed with its suitability, then the action is finalized once per run, whether or not any recipe
 * used it (finalize is where "recipe not seen" unenrollment happens). Subclasses differ only in the hooks.
 */
export abstract class BaseAction {
  /** The class name, used in the uptake source `normandy/action/<name>`. */
  abstract readonly name: string;
  private state: ActionState = "preparing";
  private failure: ActionFailure | null = null;

  /** Throwing here disables the action for this run (`custom_1_error` for the action). */
  protected async preExecution(): Promise<void> {}

  /** The JSON schema of the action's arguments (`ACTION_SCHEMAS[<action name>]`). */
  protected abstract readonly schema: JsonSchema;

  /** Acts on a recipe. The default runs only matching recipes; study actions also handle the others. */
  protected async processRecipeWith(recipe: Recipe, suitability: Suitability): Promise<void> {
    if (suitability === "filter-match") await this.run(recipe);
  }

  protected abstract run(recipe: Recipe): Promise<void>;

  protected async finalizeRun(_options: FinalizeOptions): Promise<void> {}

  /** A reason the action cannot run at all this time (for example the studies opt-out), or null. */
  protected async disabledReason(): Promise<string | null> {
    return null;
  }

  async processRecipe(recipe: Recipe, suitability: Suitability): Promise<RecipeOutcome> {
    if (this.state === "finalized") throw new Error(`${this.name} has already been finalized`);
    if (this.state === "preparing") await this.prepare(); // once per run; later recipes skip the await
    if (this.state !== "ready") {
      const why = this.failure
        ? `${this.name} failed in ${this.failure.step}: ${this.failure.message}`
        : `${this.name} is ${this.state} for this run`;
      return { status: "custom_1_error", suitability, detail: why };
    }
    let effective = suitability;
    let detail: string | undefined;
    let validated = recipe;
    // Normandy also validates the arguments of a recipe whose signature failed, and a tampered recipe with
    // broken arguments then ends a study at once (arguments-invalid). We deliberately do not: unverified
    // content is never acted on, so such a recipe stays a temporary signature error.
    if (suitability !== "capabilities-mismatch" && suitability !== "signature-error") {
      const result = this.validateArguments(recipe.arguments);
      if (result.valid) {
        validated = { ...recipe, arguments: result.value as Record<string, unknown> };
      } else {
        effective = "arguments-invalid";
        detail = `invalid arguments: ${result.path || "arguments"}: ${result.message}`;
      }
    }
    try {
      await this.processRecipeWith(validated, effective);
    } catch (error) {
      return { status: "apply_error", suitability: effective, detail: errorMessage(error) };
    }
    if (effective === "filter-match") return { status: "success", suitability: effective };
    return { status: STATUS_BY_SUITABILITY[effective], suitability: effective, ...(detail ? { detail } : {}) };
  }

  /**
   * Ends the action's run and returns its own uptake status: `custom_1_error` when it failed to prepare
   * (Normandy's ACTION_PRE_EXECUTION_ERROR), `custom_2_error` when finalizing threw
   * (ACTION_POST_EXECUTION_ERROR), otherwise `success` (a disabled action is not finalized at all). A failure
   * comes with its cause.
   */
  async finalize(options: FinalizeOptions): Promise<ActionOutcome> {
    await this.prepare();
    const state = this.state;
    this.state = "finalized";
    if (state === "failed") return { status: "custom_1_error", failure: this.failure! };
    if (state === "disabled") return { status: "success" };
    try {
      await this.finalizeRun(options);
      return { status: "success" };
    } catch (error) {
      this.failure = { step: "post-execution", message: errorMessage(error) };
      return { status: "custom_2_error", failure: this.failure };
    }
  }

  /**
   * Checks the arguments against the action's schema as Normandy does; on success the parsed value (unknown
   * properties dropped, booleans given as 0/1 cast, no defaults applied) replaces the recipe's arguments.
   */
  private validateArguments(args: Record<string, unknown>) {
    return validateJson(args, this.schema);
  }

  private prepared: Promise<void> | null = null;

  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      try {
        if ((await this.disabledReason()) !== null) {
          this.state = "disabled";
          return;
        }
        await this.preExecution();
        this.state = "ready";
      } catch (error) {
        this.state = "failed";
        this.failure = { step: "pre-execution", message: errorMessage(error) };
      }
    })();
    return this.prepared;
  }
}
