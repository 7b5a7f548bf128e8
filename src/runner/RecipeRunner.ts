import type { UptakeStatus } from "../../experiment-apis/telemetry/interface.js";
import type { ActionsManager } from "../actions/ActionsManager.js";
import { type RecipeOutcome } from "../actions/BaseAction.js";
import { errorMessage, PREVIEW_COLLECTION_SIGNER, PREVIEW_RECIPE_SIGNER } from "../core/index.js";
import type { ClientConfig } from "../config/ClientConfig.js";
import {
  attributesReadByFilter,
  evaluateFilter,
  type FilterPrefsReader,
  type Recipe,
  type RecipeRecord,
  type RegExpMatcher,
} from "../core/index.js";
import { DeliveryError } from "../delivery/DeliveryError.js";
import { DEFAULT_FETCH_LIMITS, type FetchLimits } from "../delivery/fetchText.js";
import {
  PREVIEW_COLLECTION,
  RemoteSettingsClient,
  isSignatureRef,
  type Changeset,
} from "../delivery/RemoteSettingsClient.js";
import {
  SignatureFailure,
  SignatureVerifier,
  type ContentSignatureCheck,
  type RecipeVerdicts,
} from "../delivery/SignatureVerifier.js";
import { SignedTextMemo } from "../delivery/SignedTextMemo.js";
import { X5uFetcher } from "../delivery/X5uFetcher.js";
import type { CollectionStateStore } from "../stores/CollectionStateStore.js";
import type { RunHistoryStore } from "../stores/RunHistoryStore.js";
import type { ServerBackoffStore } from "../stores/ServerBackoffStore.js";
import { SerialQueue } from "../core/index.js";
import type { RunTelemetry } from "../telemetry/RunTelemetry.js";
import type { Uptake } from "../telemetry/Uptake.js";
import type { ContextTimer, RunFilterContext } from "../context/filterContext.js";
import type { RecipeReport, RunReport } from "../core/index.js";
import { capabilitiesThenFilter, missingCapabilities, type SuitabilityVerdict } from "./recipeSuitability.js";
import { StageClock } from "./StageClock.js";

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RecipeRunnerDeps {
  loadConfig(): Promise<ClientConfig>;
  checkSignature: ContentSignatureCheck;
  /**
   * A fresh filter context for one run (client attributes are computed at most once per run), timing each
   * attribute's computation with `timer`.
   */
  createFilterContext(timer: ContextTimer): RunFilterContext;
  /** What the preference transforms of filters read (`preferenceValue`, `preferenceIsUserSet`, …). */
  filterPrefs: FilterPrefsReader;
  /** How filters' `regExpMatch` matches: time-limited in the add-on, so a hostile pattern cannot hang a run. */
  regExpMatch: RegExpMatcher;
  /** A fresh set of actions for one run (actions are finalized at the end of each run). */
  createActions(): ActionsManager;
  /** Capabilities this client supports besides its actions (`capabilities-v1`, jexl transforms, …). */
  baseCapabilities: readonly string[];
  uptake: Uptake;
  /** Performance pings and filter errors of each run. */
  runTelemetry: RunTelemetry;
  history: RunHistoryStore;
  collectionState: CollectionStateStore;
  /** Until when the server asked clients to back off; runs other than manual ones wait for it. */
  backoff: ServerBackoffStore;
  log: Logger;
}

/** The recipes of a server's preview collection, each verified or refused with the reason. */
export interface PreviewRecipes {
  verified: Recipe[];
  refused: { id: number; name: string; reason: string }[];
}

/** Why nothing runs while `extensions.recipeclient.enabled` is false (runs and QA's "Run here" alike). */
export const RUNNER_DISABLED = "the recipe client is disabled (extensions.recipeclient.enabled is false)";

/** The trigger of "Run now" in the QA console: the one kind of run a server backoff does not hold back. */
export const MANUAL_TRIGGER = "manual";

/**
 * One run: fetch the changeset → verify the collection → for each recipe decide its suitability (recipe
 * signature, capabilities, filter) → hand it to its action → finalize every action → report. A failure to
 * fetch or to verify the collection stops the run before any action is touched, so nothing is enrolled or
 * unenrolled on data the client could not trust. Runs never overlap: a trigger during a run is answered by
 * one more run right after it.
 */
export class RecipeRunner {
  private current: Promise<RunReport> | null = null;
  private rerun: Promise<RunReport> | null = null;
  private afterBackoff: Promise<RunReport> | null = null;
  private x5u: X5uFetcher | null = null;
  private readonly signedTexts = new SignedTextMemo();
  /**
   * The last changeset that verified, and its server: the next run asks only for the changes since it, so an
   * unchanged collection costs a short answer instead of its whole body (and is verified again all the same,
   * from the verdict cache).
   */
  private lastVerified: { serverUrl: string; changeset: Changeset } | null = null;
  /** Runs, and QA's work outside runs (see `exclusively`), one at a time. */
  private readonly turns = new SerialQueue();

  constructor(private readonly deps: RecipeRunnerDeps) {}

  /**
   * Runs now, or, while the server has asked clients to back off (a 429 or 503 with `Retry-After`), once
   * that time has passed: start-up, scheduled and change-notice runs all wait, sharing the one run made
   * then. A manual run ("Run now") does not wait: QA asked for it, and one request cannot hurt a server;
   * if the server answers it, the backoff is over.
   */
  async run(trigger: string): Promise<RunReport> {
    if (trigger !== MANUAL_TRIGGER) {
      const { serverUrl } = await this.deps.loadConfig();
      if ((await this.deps.backoff.until(serverUrl)) > Date.now()) {
        return (this.afterBackoff ??= this.waitOutBackoff(serverUrl).then(() => {
          this.afterBackoff = null;
          return this.start(trigger);
        }));
      }
    }
    return this.start(trigger);
  }

  private start(trigger: string): Promise<RunReport> {
    if (!this.current) {
      this.current = this.turns
        .run(() => this.runOnce(trigger))
        .finally(() => {
          this.current = null;
        });
      return this.current;
    }
    this.rerun ??= this.current.then(() => {
      this.rerun = null;
      return this.run(trigger);
    });
    return this.rerun;
  }

  /** Resolves once the server's backoff has passed; re-read after each wait, as a manual run may extend or end it. */
  private async waitOutBackoff(serverUrl: string): Promise<void> {
    for (
      let until = await this.deps.backoff.until(serverUrl);
      until > Date.now();
      until = await this.deps.backoff.until(serverUrl)
    ) {
      this.deps.log.info(
        `Waiting until ${new Date(until).toISOString()} for the next run: the server asked clients to back off`,
      );
      await new Promise((resolve) => setTimeout(resolve, until - Date.now()));
    }
  }

  /**
   * The recipes of the last collection that verified whose own signatures verify too (checked again, from
   * the verdict cache): the only recipes QA may act on outside a run. Empty before a collection verified.
   */
  async verifiedRecipes(): Promise<Recipe[]> {
    const config = await this.deps.loadConfig();
    const last = this.lastVerified;
    if (!last || last.serverUrl !== config.serverUrl || !config.rootHash) return [];
    const verifier = this.verifierFor(config, fetchLimits(config));
    const records = (last.changeset.records as RecipeRecord[]).filter(isSignedRecipe);
    const verdicts = await verifier.verifyRecipes(records);
    return records.filter((record) => verdicts.get(record) === null).map((record) => record.recipe);
  }

  /**
   * Runs `work` between runs, never during one: it waits for the run in progress, and a run triggered
   * meanwhile waits for it. For QA's "Run here", which acts through the same actions and stores as a run.
   */
  exclusively<T>(work: () => Promise<T>): Promise<T> {
    return this.turns.run(work);
  }

  /**
   * The drafts the server signed into its preview collection, verified exactly like a run's recipes: the
   * collection signature first (a failure throws SignatureFailure, and no recipe of it is trusted), then each
   * recipe's own signature (a failure refuses that recipe, with the reason). Never applied by a run.
   */
  async verifiedPreviewRecipes(): Promise<PreviewRecipes> {
    const config = await this.deps.loadConfig();
    if (!config.rootHash) throw new SignatureFailure("no trusted root configured: nothing can be verified");
    const limits = fetchLimits(config);
    // The preview's own signers: a preview never verifies as the published collection, nor the other way round.
    const previewSigners = { recipeSigner: PREVIEW_RECIPE_SIGNER, collectionSigner: PREVIEW_COLLECTION_SIGNER };
    const verifier = this.verifierFor({ ...config, ...previewSigners }, limits);
    const changeset = await new RemoteSettingsClient(config.serverUrl, limits, PREVIEW_COLLECTION).fetchChangeset(0);
    await verifier.verifyCollection(changeset);
    const records = changeset.records as RecipeRecord[];
    const signed = records.filter(isSignedRecipe);
    const verdicts = await verifier.verifyRecipes(signed);
    const preview: PreviewRecipes = { verified: [], refused: [] };
    for (const record of records) {
      const verdict = isSignedRecipe(record) ? verdicts.get(record) : new SignatureFailure("no signed recipe");
      if (verdict === null) preview.verified.push(record.recipe);
      else
        preview.refused.push({
          id: Number(record.id),
          name: typeof record.recipe?.name === "string" ? record.recipe.name : "",
          reason: verdict?.message ?? "signature not verified",
        });
    }
    return preview;
  }

  /** The signature checks of one server: its x5u fetcher, the verdict cache and the memo of signed texts. */
  private verifierFor(config: ClientConfig, limits: FetchLimits): SignatureVerifier {
    return new SignatureVerifier(
      config,
      this.x5uFetcher(config.serverUrl, limits),
      this.deps.checkSignature,
      this.signedTexts,
    );
  }

  private async runOnce(trigger: string): Promise<RunReport> {
    const startedAt = Date.now();
    const clock = new StageClock();
    const report: RunReport = {
      trigger,
      startedAt,
      durationMs: 0,
      runnerStatus: "not-run",
      recipes: [],
      actions: {},
      stages: clock.rounded(),
    };
    try {
      await this.execute(await this.deps.loadConfig(), report, clock);
      await clock.time("report", () => this.deps.uptake.flush());
    } catch (error) {
      // Nothing below should throw; if it does, say so rather than lose the run.
      report.error = `unexpected: ${errorMessage(error)}`;
      this.deps.log.error(`Recipe run failed unexpectedly: ${errorMessage(error)}`);
    }
    // Stages first: they never add up to more than the duration read after them.
    report.stages = clock.rounded();
    report.durationMs = Math.round(clock.elapsedMs());
    await this.deps.history.add(report);
    await this.deps.runTelemetry.flush(report).catch((error: unknown) => {
      this.deps.log.warn(`Recording the run's performance and filter errors failed: ${errorMessage(error)}`);
    });
    return report;
  }

  private async execute(config: ClientConfig, report: RunReport, clock: StageClock): Promise<void> {
    const { uptake, log } = this.deps;
    if (!config.enabled) {
      report.error = RUNNER_DISABLED;
      return;
    }
    if (!config.rootHash) {
      report.error = "no trusted root configured (extensions.recipeclient.root_hash is empty): nothing can be verified";
      log.error(`Recipe run skipped: ${report.error}`);
      return;
    }
    const limits = fetchLimits(config);
    const verifier = this.verifierFor(config, limits);

    let changeset: Changeset;
    let lastApplied: number;
    try {
      lastApplied = await this.deps.collectionState.lastApplied(config.serverUrl);
      const previous = this.lastVerified?.serverUrl === config.serverUrl ? this.lastVerified.changeset : null;
      changeset = await clock.time("fetch", () =>
        new RemoteSettingsClient(config.serverUrl, limits).fetchChangeset(lastApplied, previous),
      );
      await this.deps.backoff.clear(config.serverUrl);
      await clock.time("verify", () => verifier.verifyCollection(changeset));
      // Checked after the signature: the timestamp is part of the signed data, so it cannot be forged.
      if (changeset.timestamp < lastApplied) {
        throw new DeliveryError(
          "server",
          `refusing a replayed changeset: its timestamp ${changeset.timestamp} is older than the last applied ${lastApplied}`,
        );
      }
      this.lastVerified = { serverUrl: config.serverUrl, changeset };
    } catch (error) {
      const status: UptakeStatus =
        error instanceof SignatureFailure
          ? "sign_error"
          : error instanceof DeliveryError && error.failure === "network"
            ? "network_error"
            : "server_error";
      report.runnerStatus = status;
      report.error = errorMessage(error);
      if (error instanceof DeliveryError && error.retryAfterMs !== null) {
        const until = Date.now() + error.retryAfterMs;
        await this.deps.backoff.backOff(config.serverUrl, until);
        report.error += ` (the server asks clients to back off: runs other than "Run now" wait until ${new Date(until).toISOString()})`;
      }
      log.warn(`Recipe run stopped (${status}): ${report.error}`);
      uptake.reportRunner(status);
      return;
    }
    report.collectionTimestamp = changeset.timestamp;
    if (changeset.timestamp !== lastApplied)
      await this.deps.collectionState.recordApplied(config.serverUrl, changeset.timestamp);

    const actions = this.deps.createActions();
    const capabilities = new Set([...this.deps.baseCapabilities, ...actions.capabilities()]);
    const filterContext = this.deps.createFilterContext((work) => clock.time("context", work));
    const records = changeset.records as RecipeRecord[];
    const verdicts = await clock.time("verify", () => verifier.verifyRecipes(records.filter(isSignedRecipe)));
    filterContext.prefetch(attributesToPrefetch(records, verdicts, capabilities));
    for (const record of records) {
      const entry = await this.processRecord(record, verdicts, capabilities, filterContext, actions, clock);
      report.recipes.push(entry);
      uptake.reportRecipe(entry.id, entry.revision, entry.status);
    }
    const actionOutcomes = await clock.time("actions", () =>
      actions.finalize({ noRecipes: changeset.records.length === 0 }),
    );
    for (const [name, { status, failure }] of actionOutcomes) {
      report.actions[name] = status;
      uptake.reportAction(name, status);
      if (failure) {
        (report.actionFailures ??= {})[name] = failure;
        log.error(`The action ${name} failed in ${failure.step} (${status}): ${failure.message}`);
      }
    }
    report.runnerStatus = "success";
    uptake.reportRunner("success");
  }

  private async processRecord(
    record: RecipeRecord,
    verdicts: RecipeVerdicts,
    capabilities: ReadonlySet<string>,
    filterContext: RunFilterContext,
    actions: ActionsManager,
    clock: StageClock,
  ): Promise<RecipeReport> {
    const recipe = record.recipe;
    if (!isSignedRecipe(record)) {
      // Without a well-formed recipe and signature there is nothing that could be verified.
      const id = Number(record.id);
      return {
        id,
        name: "",
        action: "",
        revision: "",
        suitability: "signature-error",
        status: "sign_error",
        detail: `record ${record.id} has no signed recipe`,
      };
    }
    const { suitability, detail } = await this.suitabilityOf(record, verdicts, capabilities, filterContext, clock);
    let outcome: RecipeOutcome;
    try {
      outcome = await clock.time("actions", () => actions.processRecipe(recipe, suitability));
    } catch (error) {
      outcome = { status: "apply_error", suitability, detail: errorMessage(error) };
    }
    const entry: RecipeReport = {
      id: recipe.id,
      name: recipe.name,
      action: recipe.action,
      revision: recipe.revision_id,
      suitability: outcome.suitability,
      status: outcome.status,
    };
    const why = outcome.detail ?? detail;
    if (why) entry.detail = why;
    return entry;
  }

  /** Normandy's ordered checks: signature, then capabilities (filter not evaluated), then the filter. */
  private suitabilityOf(
    record: RecipeRecord,
    verdicts: RecipeVerdicts,
    capabilities: ReadonlySet<string>,
    filterContext: RunFilterContext,
    clock: StageClock,
  ): Promise<SuitabilityVerdict> {
    const recipe = record.recipe;
    const signatureFailure = verdicts.get(record);
    // Every signed record was verified before the loop; one missing from the verdicts is not trusted either.
    if (signatureFailure !== null)
      return Promise.resolve({
        suitability: "signature-error",
        detail: signatureFailure?.message ?? "signature not verified",
      });
    return capabilitiesThenFilter(
      recipe,
      capabilities,
      () =>
        clock.time("filter", () =>
          evaluateFilter(recipe.filter_expression, filterContext.forRecipe(recipe), {
            prefs: this.deps.filterPrefs,
            regExpMatch: this.deps.regExpMatch,
          }),
        ),
      (error) => this.deps.runTelemetry.filterFailed(recipe.id, error),
    );
  }

  /** One fetcher (and chain cache) while the server and the time limit stay the same. */
  private x5uFetcher(serverUrl: string, limits: FetchLimits): X5uFetcher {
    if (!this.x5u || this.x5u.serverUrl !== serverUrl || this.x5u.limits.timeoutMs !== limits.timeoutMs)
      this.x5u = new X5uFetcher(serverUrl, limits);
    return this.x5u;
  }
}

/** Whether the record holds a well-formed recipe and signature, the only kind that can be verified. */
function isSignedRecipe(record: RecipeRecord): boolean {
  return isRecipe(record.recipe) && isSignatureRef(record.signature);
}

function isRecipe(value: unknown): value is Recipe {
  const recipe = value as Partial<Recipe> | null;
  return (
    typeof recipe === "object" &&
    recipe !== null &&
    typeof recipe.id === "number" &&
    typeof recipe.name === "string" &&
    typeof recipe.action === "string" &&
    typeof recipe.filter_expression === "string" &&
    typeof recipe.arguments === "object" &&
    recipe.arguments !== null
  );
}

/**
 * The client attributes the filters of this run will read: only filters that will be evaluated count (a
 * recipe whose signature failed, or whose capabilities this client lacks, makes the client compute nothing).
 */
function attributesToPrefetch(
  records: readonly RecipeRecord[],
  verdicts: RecipeVerdicts,
  capabilities: ReadonlySet<string>,
): Set<string> {
  const names = new Set<string>();
  for (const record of records) {
    if (verdicts.get(record) !== null || missingCapabilities(record.recipe, capabilities).length > 0) continue;
    for (const name of attributesReadByFilter(record.recipe.filter_expression)) names.add(name);
  }
  return names;
}

/** The fetch limits of a run: the defaults, with the configured time limit. */
function fetchLimits(config: ClientConfig): FetchLimits {
  return { ...DEFAULT_FETCH_LIMITS, timeoutMs: config.fetchTimeoutMs };
}
