import type { AddonInfo, AddonsApi } from "../../experiment-apis/addons/interface.js";
import { AddonChangeRefused, failureExtra } from "../addons/AddonChangeRefused.js";
import { installFromDetails, metadataMismatch, requireExtensionDetails } from "../addons/installFromDetails.js";
import { pendingInstallHappened } from "../addons/PendingAddonChange.js";
import { compareVersions, QA_UNDO_REASON, type ForcedEnrollment } from "../core/index.js";
import type { ExtensionDetails } from "../core/index.js";
import type { AddonStudy, AddonStudyStore, StudyAddonFields } from "../stores/AddonStudyStore.js";
import { SerialQueue } from "../core/index.js";
import type {
  EnrollmentEventExtra,
  EnrollmentEventMethod,
  EnrollmentEventObject,
  EnrollmentTelemetry,
} from "../telemetry/EnrollmentTelemetry.js";
import { NonFatalEnrollmentTelemetry } from "../telemetry/NonFatalEnrollmentTelemetry.js";
import type { StudyAddonPort, StudyForAddon } from "./studyAddonMessages.js";

/** Stands in for the add-on id and version in events of a branch without an add-on (Normandy's NO_ADDON_MARKER). */
export const NO_ADDON_MARKER = "__NO_ADDON__";

export interface AddonStudiesDeps {
  addons: AddonsApi;
  store: AddonStudyStore;
  telemetry: EnrollmentTelemetry;
  /** The server's metadata of a package (`extension/<extensionApiId>/`); throws when it cannot be had. */
  extensionDetails(extensionApiId: number): Promise<ExtensionDetails>;
  /** Tells the study add-on its study ends and waits for its answer, within a time limit; never throws. */
  notifyUnenroll(addonId: string, reason: string): Promise<string>;
  info(message: string): void;
  warn(message: string): void;
  now?(): Date;
  newEnrollmentId?(): string;
}

export interface EnrollOptions {
  recipeId: number;
  slug: string;
  userFacingName: string;
  userFacingDescription: string;
  /** The branch's slug. */
  branch: string;
  /** The branch's package on the server; null: the branch installs no add-on. */
  extensionApiId: number | null;
  /** QA forced this enrollment from the console's "Run here". */
  forced?: ForcedEnrollment;
}

interface ReportOptions {
  /** Start-up repair: the event may have been recorded just before a crash (EnrollmentTelemetry.recordEventOnce). */
  once?: boolean;
}

interface EndOptions {
  /** The add-on is already uninstalled (by the user, or while Firefox was closed): nothing to notify or remove. */
  addonGone?: boolean;
}

/**
 * Add-on studies across runs (Normandy's AddonStudies plus the install half of BranchedAddonStudyAction):
 * enrolls (installs the branch's add-on from the server's metadata, hash pinned), updates it to newer
 * versions, ends studies (tells the add-on, then uninstalls it), follows uninstalls by anyone else, and
 * answers study add-ons. Which recipe enrolls or ends what, and when, is the action's.
 *
 * Every operation runs alone, in call order, so an uninstall event, a study add-on's message and a recipe
 * run never interleave. Crash safety is PendingAddonChange's: `init()` settles what a crash left half done.
 */
export class AddonStudies implements StudyAddonPort {
  private readonly operations = new SerialQueue();
  private readonly telemetry: NonFatalEnrollmentTelemetry;
  private listening = false;

  constructor(private readonly deps: AddonStudiesDeps) {
    this.telemetry = new NonFatalEnrollmentTelemetry(deps.telemetry, deps.warn);
  }

  /**
   * At add-on start, before the first run: settles pending add-on changes, ends active studies whose add-on
   * was removed while the recipe client was not running ("uninstalled-sideload"), annotates the others again
   * (annotations do not survive a restart), and starts following uninstalls.
   */
  init(): Promise<void> {
    return this.exclusive(async () => {
      const installed = new Map(
        (await this.deps.addons.listAddons()).map((addon): [string, AddonInfo] => [addon.id, addon]),
      );
      for (const study of await this.deps.store.getAll()) {
        if (study.pendingChange) await this.settlePendingChange(study, installed);
        if (study.forced) await this.forgetIfForced(study.recipeId);
      }
      for (const study of await this.deps.store.getAllActive()) {
        // Normandy ends no-add-on studies here too (it looks up a null id); they have nothing to lose.
        if (study.addonId !== null && !installed.has(study.addonId)) {
          await this.end(study, "uninstalled-sideload", { addonGone: true });
        } else {
          await this.annotate(study);
        }
      }
      this.listen();
    });
  }

  /** Enrolls, or records `enrollFailed` and throws (AddonChangeRefused for Normandy's reasons). */
  enroll(options: EnrollOptions): Promise<AddonStudy> {
    return this.exclusive(() => this.enrollNow(options));
  }

  /**
   * Brings an active study's add-on to the version its branch's package now has (`extensionApiId` null: the
   * branch installs no add-on), or records `updateFailed` and throws. The same version is left alone.
   */
  update(recipeId: number, branch: { slug: string; extensionApiId: number | null }): Promise<void> {
    return this.exclusive(() => this.updateNow(recipeId, branch));
  }

  /** Ends an active study with `reason`; throws when there is none or it already ended (as Normandy's unenroll). */
  stop(recipeId: number, reason: string): Promise<void> {
    return this.exclusive(async () => {
      const study = await this.deps.store.get(recipeId);
      if (!study) throw new Error(`No add-on study found for recipe ${recipeId}`);
      if (!study.active) throw new Error(`Cannot stop the add-on study for recipe ${recipeId}: it already ended`);
      await this.end(study, reason);
    });
  }

  /**
   * QA's undo of a forced enrollment ("Run here"): ends the study with reason `qa-undo` (its add-on told and
   * uninstalled; the record is then forgotten, as any forced one's: see `end`). Refuses a study that was not
   * forced or has ended.
   */
  undoForced(recipeId: number): Promise<void> {
    return this.exclusive(async () => {
      const study = await this.deps.store.get(recipeId);
      if (!study?.forced || !study.active)
        throw new Error(`the add-on study of recipe ${recipeId} is not an active enrollment forced by QA`);
      await this.end(study, QA_UNDO_REASON);
    });
  }

  /** Ends every active study (the studies opt-out: "general-opt-out"). */
  stopAll(reason: string): Promise<void> {
    return this.exclusive(async () => {
      for (const study of await this.deps.store.getAllActive()) {
        try {
          await this.end(study, reason);
        } catch (error) {
          this.deps.warn(`Cannot end the add-on study ${study.slug}: ${String(error)}`);
        }
      }
    });
  }

  /** The study of a study add-on: its active one, else its latest; null when it has none. */
  async studyForAddon(addonId: string): Promise<StudyForAddon | null> {
    const studies = (await this.deps.store.getAll()).filter((study) => study.addonId === addonId);
    const study =
      studies.find((candidate) => candidate.active) ??
      studies.sort((a, b) => b.studyStartDate.localeCompare(a.studyStartDate))[0];
    if (!study) return null;
    const { pendingChange: _pending, ...view } = study;
    return view;
  }

  /** A study add-on ends its own study (Normandy's `normandyAddonStudy.endStudy`). */
  endStudyOfAddon(addonId: string, reason: string): Promise<void> {
    return this.exclusive(async () => {
      const study = (await this.deps.store.getAllActive()).find((candidate) => candidate.addonId === addonId);
      if (!study) throw new Error(`The add-on ${addonId} has no active study`);
      await this.end(study, reason);
    });
  }

  private async enrollNow(options: EnrollOptions): Promise<AddonStudy> {
    const { recipeId, slug, branch, extensionApiId } = options;
    let study: AddonStudy = {
      recipeId,
      slug,
      userFacingName: options.userFacingName,
      userFacingDescription: options.userFacingDescription,
      branch,
      active: true,
      addonId: null,
      ...NO_ADDON_FIELDS,
      studyStartDate: this.now().toJSON(),
      studyEndDate: null,
      temporaryErrorDeadline: null,
      enrollmentId: this.deps.newEnrollmentId?.() ?? crypto.randomUUID(),
      pendingChange: null,
      ...(options.forced ? { forced: options.forced } : {}),
    };
    try {
      if (extensionApiId === null) {
        await this.deps.store.add(study);
      } else {
        const details = await requireExtensionDetails(this.deps.extensionDetails, extensionApiId);
        const conflicting = () =>
          new AddonChangeRefused(
            "conflicting-addon-id",
            `an add-on with the id ${details.extension_id} is already installed`,
          );
        // Checked before anything is recorded, so a crash can never make us adopt an add-on that was not ours.
        if (await this.deps.addons.getAddon(details.extension_id)) throw conflicting();
        study = { ...study, addonId: details.extension_id, ...addonFields(details) };
        const pending = study;
        await installFromDetails(this.deps.addons, details, {
          recordPending: () => this.deps.store.add({ ...pending, pendingChange: { kind: "install", previous: null } }),
          check: (downloaded) => (downloaded.existingAddon ? conflicting() : metadataMismatch(downloaded, details)),
          undoPending: () => this.deps.store.remove(recipeId),
        });
      }
    } catch (error) {
      await this.report("enrollFailed", slug, { ...failureExtra(error), branch });
      throw error;
    }
    await this.annotate(study);
    await this.reportEnrolled(study);
    // Only once the event is recorded: a crash before this point leaves the install pending, and start-up
    // records the event then (once: see settlePendingChange).
    if (study.addonId !== null) await this.clearPendingChange(study);
    return study;
  }

  private async updateNow(recipeId: number, branch: { slug: string; extensionApiId: number | null }): Promise<void> {
    const study = await this.deps.store.get(recipeId);
    if (!study?.active) throw new Error(`There is no active add-on study for recipe ${recipeId} to update`);
    // Normandy fetches metadata for a branch without an add-on (a null id) and fails; nothing to do then.
    if (branch.extensionApiId === null && study.addonId === null) return;
    let installed: AddonInfo;
    try {
      const details =
        branch.extensionApiId === null
          ? null
          : await requireExtensionDetails(this.deps.extensionDetails, branch.extensionApiId);
      // Normandy lets a later check (or an unchanged version) hide a changed id; the id is checked first here.
      if (details === null || details.extension_id !== study.addonId) {
        throw new AddonChangeRefused(
          "addon-id-mismatch",
          `the branch's add-on is ${details?.extension_id ?? "none"}, the study's is ${study.addonId ?? "none"}`,
        );
      }
      const order = compareVersions(study.addonVersion!, details.version);
      if (order > 0)
        throw new AddonChangeRefused(
          "no-downgrade",
          `${details.version} is older than the installed ${study.addonVersion}`,
        );
      if (order === 0) return;
      const previous = studyAddonFields(study);
      installed = await installFromDetails(this.deps.addons, details, {
        recordPending: async () => {
          await this.deps.store.update(recipeId, (stored) => {
            Object.assign(stored, addonFields(details), { pendingChange: { kind: "install", previous } });
          });
        },
        check: (downloaded) =>
          downloaded.existingAddon === null
            ? new AddonChangeRefused(
                "addon-does-not-exist",
                `${details.extension_id} is not installed, so there is nothing to update`,
              )
            : metadataMismatch(downloaded, details),
        undoPending: async () => {
          await this.deps.store.update(recipeId, (stored) => {
            Object.assign(stored, previous, { pendingChange: null });
          });
        },
      });
    } catch (error) {
      await this.report("updateFailed", study.slug, {
        ...failureExtra(error),
        branch: branch.slug,
        enrollmentId: study.enrollmentId,
      });
      throw error;
    }
    // The event first, then the pending change cleared, as for an enrollment.
    await this.reportUpdated(study, installed.version);
    await this.clearPendingChange(study);
  }

  /**
   * Ends a study (Normandy's `markAsEnded` and the uninstall after it): the record ends first, with its
   * add-on's removal pending; then the events; then the study add-on hears of it (awaited, within a time
   * limit, so it can clean up) and is uninstalled.
   */
  private async end(study: AddonStudy, reason: string, { addonGone = false }: EndOptions = {}): Promise<void> {
    const removeAddon = study.addonId !== null && !addonGone;
    await this.deps.store.update(study.recipeId, (stored) => {
      stored.active = false;
      stored.temporaryErrorDeadline = null;
      stored.studyEndDate = this.now().toJSON();
      stored.pendingChange = removeAddon ? { kind: "uninstall" } : null;
    });
    await this.telemetry.setExperimentInactive(study.slug);
    await this.report("unenroll", study.slug, {
      addonId: study.addonId ?? NO_ADDON_MARKER,
      addonVersion: study.addonVersion ?? NO_ADDON_MARKER,
      reason,
      branch: study.branch,
      enrollmentId: study.enrollmentId,
    });
    if (removeAddon) {
      const answer = await this.deps.notifyUnenroll(study.addonId!, reason);
      this.deps.info(`The study add-on ${study.addonId} was told its study ${study.slug} ends (${reason}): ${answer}`);
      await this.removeAddon(study);
    }
    await this.forgetIfForced(study.recipeId);
  }

  /**
   * A forced enrollment (QA's "Run here") does not spend the recipe, however it ends (QA's undo, the studies
   * opt-out): QA can run it here again, and a normal run may enroll this client as if QA had never touched it. A
   * record whose add-on removal is still pending is kept until the removal is done (start-up settles it).
   */
  private async forgetIfForced(recipeId: number): Promise<void> {
    const stored = await this.deps.store.get(recipeId);
    if (stored?.forced && !stored.active && stored.pendingChange === null) await this.deps.store.remove(recipeId);
  }

  /** Uninstalls an ended study's add-on and clears the pending removal; a failure leaves it pending for the next start. */
  private async removeAddon(study: AddonStudy): Promise<void> {
    const removed = await this.deps.addons.uninstall(study.addonId!);
    if (!removed) this.deps.warn(`The add-on ${study.addonId} of the study ${study.slug} was already uninstalled`);
    await this.clearPendingChange(study);
  }

  private async clearPendingChange(study: AddonStudy): Promise<void> {
    await this.deps.store.update(study.recipeId, (stored) => {
      stored.pendingChange = null;
    });
  }

  /** See PendingAddonChange for the rule. */
  private async settlePendingChange(study: AddonStudy, installed: ReadonlyMap<string, AddonInfo>): Promise<void> {
    const pending = study.pendingChange!;
    const { store } = this.deps;
    try {
      if (pending.kind === "uninstall") {
        this.deps.warn(
          `Finishing the uninstall of ${study.addonId} for the ended study ${study.slug}, interrupted last time`,
        );
        await this.removeAddon(study);
      } else if (pendingInstallHappened(installed.get(study.addonId!), study.addonVersion)) {
        // The event may have been recorded just before the crash: recorded once, then the change cleared.
        if (pending.previous === null) await this.reportEnrolled(study, { once: true });
        else await this.reportUpdated(study, study.addonVersion!, { once: true });
        await this.clearPendingChange(study);
      } else if (pending.previous === null) {
        this.deps.warn(
          `The enrollment in ${study.slug} was interrupted before its add-on was installed; it did not happen`,
        );
        await store.remove(study.recipeId);
      } else {
        this.deps.warn(`The update of ${study.slug} to ${study.addonVersion} was interrupted; it will be tried again`);
        await store.update(study.recipeId, (stored) => {
          Object.assign(stored, pending.previous, { pendingChange: null });
        });
      }
    } catch (error) {
      this.deps.warn(`Cannot settle the interrupted add-on change of ${study.slug}: ${String(error)}`);
    }
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    // Returns its promise (Firefox ignores it) so an in-memory fake can wait for the work to finish.
    this.deps.addons.onUninstalled.addListener((addonId) =>
      this.exclusive(async () => {
        // Our own uninstalls find the study already ended.
        const study = (await this.deps.store.getAllActive()).find((candidate) => candidate.addonId === addonId);
        if (study) await this.end(study, "uninstalled", { addonGone: true });
      }).catch((error: unknown) =>
        this.deps.warn(`Cannot end the study of the uninstalled add-on ${addonId}: ${String(error)}`),
      ),
    );
  }

  private annotate(study: AddonStudy): Promise<void> {
    return this.telemetry.setExperimentActive(study.slug, study.branch, {
      type: "normandy-addonstudy",
      enrollmentId: study.enrollmentId,
    });
  }

  private reportEnrolled(study: AddonStudy, options?: ReportOptions): Promise<void> {
    return this.report(
      "enroll",
      study.slug,
      {
        addonId: study.addonId ?? NO_ADDON_MARKER,
        addonVersion: study.addonVersion ?? NO_ADDON_MARKER,
        branch: study.branch,
        enrollmentId: study.enrollmentId,
      },
      options,
    );
  }

  private reportUpdated(study: AddonStudy, addonVersion: string, options?: ReportOptions): Promise<void> {
    return this.report(
      "update",
      study.slug,
      { addonId: study.addonId!, addonVersion, branch: study.branch, enrollmentId: study.enrollmentId },
      options,
    );
  }

  private report<Method extends EnrollmentEventMethod>(
    method: Method,
    slug: string,
    extra: EnrollmentEventExtra<Method>,
    { once = false }: ReportOptions = {},
  ): Promise<void> {
    // Every method this module records exists for the object addon_study.
    return this.telemetry.recordEventOnceIf(
      { once },
      method,
      "addon_study" as EnrollmentEventObject<Method>,
      slug,
      extra,
    );
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    return this.operations.run(operation);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

const NO_ADDON_FIELDS: StudyAddonFields = {
  addonVersion: null,
  addonUrl: null,
  extensionApiId: null,
  extensionHash: null,
  extensionHashAlgorithm: null,
};

function addonFields(details: ExtensionDetails): StudyAddonFields {
  return {
    addonVersion: details.version,
    addonUrl: details.xpi,
    extensionApiId: details.id,
    extensionHash: details.hash,
    extensionHashAlgorithm: details.hash_algorithm,
  };
}

function studyAddonFields(study: AddonStudy): StudyAddonFields {
  const { addonVersion, addonUrl, extensionApiId, extensionHash, extensionHashAlgorithm } = study;
  return { addonVersion, addonUrl, extensionApiId, extensionHash, extensionHashAlgorithm };
}
