import type { AddonInfo, AddonsApi } from "../../experiment-apis/addons/interface.js";
import { AddonChangeRefused, failureExtra } from "../addons/AddonChangeRefused.js";
import { installFromDetails, metadataMismatch, requireExtensionDetails } from "../addons/installFromDetails.js";
import { pendingInstallHappened } from "../addons/PendingAddonChange.js";
import { compareVersions } from "../core/index.js";
import type { ExtensionDetails } from "../core/index.js";
import type { AddonRollout, AddonRolloutStore, RolloutAddonFields } from "../stores/AddonRolloutStore.js";
import { SerialQueue } from "../core/index.js";
import type { EnrollmentTelemetry } from "../telemetry/EnrollmentTelemetry.js";
import { NonFatalEnrollmentTelemetry } from "../telemetry/NonFatalEnrollmentTelemetry.js";

export interface AddonRolloutsDeps {
  addons: AddonsApi;
  store: AddonRolloutStore;
  telemetry: EnrollmentTelemetry;
  /** The server's metadata of a package (`extension/<extensionApiId>/`); throws when it cannot be had. */
  extensionDetails(extensionApiId: number): Promise<ExtensionDetails>;
  warn(message: string): void;
  newEnrollmentId?(): string;
}

/**
 * Add-on rollouts (Normandy's AddonRolloutAction / AddonRollbackAction bookkeeping, reference §2.5):
 * install a package for everyone the recipe matches and keep it at the package's version, until a
 * rollback uninstalls it. Rollouts are not studies: the studies opt-out does not touch them, and a recipe
 * that goes away leaves its add-on installed. Operations run one at a time; crash safety is
 * PendingAddonChange's: a change's success event (`enroll`, `update`, a rollback's `unenroll`) is recorded
 * before its pending change is cleared, and start-up repair records it once (recordEventOnce), so a crash
 * at any moment neither loses nor repeats it.
 */
export class AddonRollouts {
  private readonly operations = new SerialQueue();
  private readonly telemetry: NonFatalEnrollmentTelemetry;

  constructor(private readonly deps: AddonRolloutsDeps) {
    this.telemetry = new NonFatalEnrollmentTelemetry(deps.telemetry, deps.warn);
  }

  /** At add-on start: settles pending add-on changes and annotates the active rollouts again. */
  init(): Promise<void> {
    return this.exclusive(async () => {
      const installed = new Map(
        (await this.deps.addons.listAddons()).map((addon): [string, AddonInfo] => [addon.id, addon]),
      );
      for (const rollout of await this.deps.store.getAll()) {
        if (rollout.pendingChange) await this.settlePendingChange(rollout, installed);
      }
      for (const rollout of await this.deps.store.getAllActive()) await this.annotate(rollout);
    });
  }

  /**
   * Installs (`enroll`) or updates (`update`) the rollout's add-on to the package `extensionApiId` names; the
   * same id at the same version is left alone. A failure records `enrollFailed` / `updateFailed` and throws.
   */
  apply(recipeId: number, slug: string, extensionApiId: number): Promise<void> {
    return this.exclusive(() => this.applyNow(recipeId, slug, extensionApiId));
  }

  /** Uninstalls an active rollout's add-on (`unenroll`/addon_rollback); unknown or rolled-back slugs are skipped. */
  rollBack(slug: string): Promise<void> {
    return this.exclusive(async () => {
      const rollout = await this.deps.store.get(slug);
      if (rollout?.state !== "active") return;
      await this.deps.store.update(slug, (stored) => {
        stored.state = "rolled-back";
        stored.pendingChange = { kind: "uninstall" };
      });
      try {
        await this.removeAddon(rollout, { once: false });
      } catch (error) {
        // Stays pending: the next start tries again.
        await this.telemetry.recordEvent("unenrollFailed", "addon_rollback", slug, {
          reason: "uninstall-failed",
          enrollmentId: rollout.enrollmentId,
        });
        throw error;
      }
    });
  }

  private async applyNow(recipeId: number, slug: string, extensionApiId: number): Promise<void> {
    const existing = await this.deps.store.get(slug);
    // Normandy would update a rolled-back rollout's add-on while leaving it rolled back; a rolled-back slug
    // is over (a new rollout needs a new slug), so it is left alone.
    if (existing?.state === "rolled-back") {
      this.deps.warn(`The add-on rollout ${slug} was rolled back; it is not applied again`);
      return;
    }
    const method = existing ? "update" : "enroll";
    let installed: AddonInfo;
    try {
      const details = await requireExtensionDetails(this.deps.extensionDetails, extensionApiId);
      if (existing?.addonId === details.extension_id && compareVersions(existing.addonVersion, details.version) === 0)
        return;
      const conflicting = (await this.deps.store.getAllActive()).find(
        (other) => other.slug !== slug && other.addonId === details.extension_id,
      );
      if (conflicting) {
        throw new AddonChangeRefused(
          "conflict",
          `the add-on ${details.extension_id} already belongs to the rollout ${conflicting.slug}`,
          {
            addonId: conflicting.addonId,
            conflictingSlug: conflicting.slug,
            enrollmentId: conflicting.enrollmentId,
          },
        );
      }
      const fields = addonFields(details);
      const previous = existing ? rolloutAddonFields(existing) : null;
      installed = await installFromDetails(this.deps.addons, details, {
        recordPending: () =>
          existing
            ? this.deps.store
                .update(slug, (stored) =>
                  Object.assign(stored, fields, { pendingChange: { kind: "install", previous } }),
                )
                .then(() => undefined)
            : this.deps.store.add({
                recipeId,
                slug,
                state: "active",
                addonId: details.extension_id,
                ...fields,
                enrollmentId: this.deps.newEnrollmentId?.() ?? crypto.randomUUID(),
                pendingChange: { kind: "install", previous: null },
              }),
        check: (downloaded) => {
          const mismatch = metadataMismatch(downloaded, details);
          if (mismatch) return mismatch;
          if (existing && existing.addonId !== downloaded.addon.id) {
            return new AddonChangeRefused(
              "addon-id-changed",
              `the rollout's add-on is ${existing.addonId}, the package is ${downloaded.addon.id}`,
            );
          }
          const installedVersion = downloaded.existingAddon?.version;
          if (installedVersion !== undefined && compareVersions(installedVersion, downloaded.addon.version) > 0) {
            return new AddonChangeRefused(
              "upgrade-required",
              `${installedVersion} is installed, newer than ${downloaded.addon.version}`,
            );
          }
          return null;
        },
        undoPending: () =>
          existing
            ? this.deps.store
                .update(slug, (stored) => Object.assign(stored, previous, { pendingChange: null }))
                .then(() => undefined)
            : this.deps.store.remove(slug),
      });
    } catch (error) {
      // Normandy reports a conflict as enrollFailed, whether the rollout is new or not; an update's failure
      // carries the rollout's enrollment id whatever the reason (Normandy's only for its own two reasons).
      const conflict = error instanceof AddonChangeRefused && error.reason === "conflict";
      if (existing && !conflict)
        await this.telemetry.recordEvent("updateFailed", "addon_rollout", slug, {
          ...failureExtra(error),
          enrollmentId: existing.enrollmentId,
        });
      else await this.telemetry.recordEvent("enrollFailed", "addon_rollout", slug, failureExtra(error));
      throw error;
    }
    // The event first, then the pending change cleared: a crash in between is settled at start-up.
    const rollout = (await this.deps.store.get(slug))!;
    await this.reportApplied(rollout, method, installed.version);
    await this.clearPendingChange(slug);
  }

  /**
   * Uninstalls a rolled-back rollout's add-on, reports the rollback, then clears the pending removal
   * (`once`: start-up repair, whose event may have been recorded just before a crash).
   */
  private async removeAddon(rollout: AddonRollout, { once }: { once: boolean }): Promise<void> {
    if (!(await this.deps.addons.uninstall(rollout.addonId))) {
      this.deps.warn(`The add-on ${rollout.addonId} of the rollout ${rollout.slug} was already uninstalled`);
    }
    const extra = { reason: "rollback", enrollmentId: rollout.enrollmentId };
    await this.telemetry.recordEventOnceIf({ once }, "unenroll", "addon_rollback", rollout.slug, extra);
    await this.telemetry.setExperimentInactive(rollout.slug);
    await this.clearPendingChange(rollout.slug);
  }

  private async clearPendingChange(slug: string): Promise<void> {
    await this.deps.store.update(slug, (stored) => {
      stored.pendingChange = null;
    });
  }

  /** See PendingAddonChange for the rule. */
  private async settlePendingChange(rollout: AddonRollout, installed: ReadonlyMap<string, AddonInfo>): Promise<void> {
    const pending = rollout.pendingChange!;
    const { store } = this.deps;
    try {
      if (pending.kind === "uninstall") {
        this.deps.warn(`Finishing the rollback of ${rollout.slug}, interrupted last time`);
        await this.removeAddon(rollout, { once: true });
      } else if (pendingInstallHappened(installed.get(rollout.addonId), rollout.addonVersion)) {
        await this.reportApplied(rollout, pending.previous === null ? "enroll" : "update", rollout.addonVersion, {
          once: true,
        });
        await this.clearPendingChange(rollout.slug);
      } else if (pending.previous === null) {
        this.deps.warn(
          `The add-on rollout ${rollout.slug} was interrupted before its add-on was installed; it did not happen`,
        );
        await store.remove(rollout.slug);
      } else {
        this.deps.warn(`The update of the add-on rollout ${rollout.slug} was interrupted; it will be tried again`);
        await store.update(rollout.slug, (stored) => Object.assign(stored, pending.previous, { pendingChange: null }));
      }
    } catch (error) {
      this.deps.warn(`Cannot settle the interrupted add-on change of ${rollout.slug}: ${String(error)}`);
    }
  }

  private async reportApplied(
    rollout: AddonRollout,
    method: "enroll" | "update",
    addonVersion: string,
    { once = false } = {},
  ): Promise<void> {
    if (method === "enroll") await this.annotate(rollout);
    const extra = { addonId: rollout.addonId, addonVersion, enrollmentId: rollout.enrollmentId };
    await this.telemetry.recordEventOnceIf({ once }, method, "addon_rollout", rollout.slug, extra);
  }

  private annotate(rollout: AddonRollout): Promise<void> {
    return this.telemetry.setExperimentActive(rollout.slug, rollout.state, {
      type: "normandy-addonrollout",
      enrollmentId: rollout.enrollmentId,
    });
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    return this.operations.run(operation);
  }
}

function addonFields(details: ExtensionDetails): RolloutAddonFields {
  return {
    addonVersion: details.version,
    xpiUrl: details.xpi,
    xpiHash: details.hash,
    xpiHashAlgorithm: details.hash_algorithm,
    extensionApiId: details.id,
  };
}

function rolloutAddonFields(rollout: AddonRollout): RolloutAddonFields {
  const { addonVersion, xpiUrl, xpiHash, xpiHashAlgorithm, extensionApiId } = rollout;
  return { addonVersion, xpiUrl, xpiHash, xpiHashAlgorithm, extensionApiId };
}
