/**
 * The `browser.experiments.addons` namespace: install add-ons from a URL with a pinned hash, in two steps so
 * the caller can record what it is about to install before the install completes; uninstall them; read
 * them; hear when one is uninstalled. A thin layer over Firefox's AddonManager: it checks nothing about
 * studies or rollouts (whether the downloaded add-on is the expected one is the caller's rule). Declared
 * once here; implemented by the parent script (`api.ts`) and by the in-memory fake in `test/fakes/`.
 * `schema.json` must agree with this file (checked by `test/unit/schemas.test.ts`).
 */
import type { EventParameterNames, ExperimentEvent, ParameterNames } from "../schemaContract.js";

/** An installed add-on, as AddonManager describes it. */
export interface AddonInfo {
  id: string;
  name: string;
  version: string;
  /** "extension", "theme", "dictionary", … */
  type: string;
  /** Running now (installed, enabled and compatible). */
  isActive: boolean;
}

/** Bounds on one download; exceeding either cancels it. */
export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
}

/**
 * Why an install step failed: an AddonManager error name (`AddonManager.errorToString`, e.g.
 * "ERROR_INCORRECT_HASH", "ERROR_NETWORK_FAILURE", "ERROR_CORRUPT_FILE"), or one of this API's own:
 * "ERROR_SIZE_LIMIT" (more than `maxBytes`), "ERROR_TIMEOUT" (not done within `timeoutMs`),
 * "ERROR_CANCELLED", "ERROR_POSTPONED" (the running add-on delayed its update; the install was cancelled).
 */
export type AddonInstallError = string;

export interface InstallFailure {
  status: "failed";
  error: AddonInstallError;
  /** Firefox's own words, for logs. */
  message: string;
}

/** A downloaded add-on whose install is paused until `completeInstall` or `cancelInstall`. */
export interface DownloadedInstall {
  status: "downloaded";
  /** Names the paused install in `completeInstall` / `cancelInstall`; valid until one of them is called. */
  installId: string;
  /** What the downloaded package's manifest declares. */
  addon: { id: string; version: string; name: string };
  /** The add-on with the same id installed now (the install would replace it), or null. */
  existingAddon: { id: string; version: string } | null;
}

export interface CompletedInstall {
  status: "installed";
  addon: AddonInfo;
}

export interface AddonsApi {
  /**
   * Downloads `url`, checks it against `hash` ("sha256:<hex>") and pauses before installing anything.
   * Resolves with the downloaded add-on, or with a failure (a wrong hash is "ERROR_INCORRECT_HASH").
   */
  prepareInstall(url: string, hash: string, limits: DownloadLimits): Promise<DownloadedInstall | InstallFailure>;
  /** Finishes a paused install; resolves with the installed add-on, or with a failure. */
  completeInstall(installId: string): Promise<CompletedInstall | InstallFailure>;
  /** Abandons a paused install and deletes its download. */
  cancelInstall(installId: string): Promise<void>;
  /** The add-on with `id`, or null when none is installed. */
  getAddon(id: string): Promise<AddonInfo | null>;
  /** Every installed add-on of type "extension". */
  listAddons(): Promise<AddonInfo[]>;
  /** Uninstalls the add-on with `id` at once; false when none was installed. */
  uninstall(id: string): Promise<boolean>;
  /** Fires with an add-on's id once it has been uninstalled, by anyone (the user, itself, this add-on). */
  onUninstalled: ExperimentEvent<[addonId: string]>;
}

/** Parameter names of each function, in schema order (see `../schemaContract.ts`). */
export const ADDONS_API_PARAMETERS = {
  prepareInstall: ["url", "hash", "limits"],
  completeInstall: ["installId"],
  cancelInstall: ["installId"],
  getAddon: ["id"],
  listAddons: [],
  uninstall: ["id"],
} as const satisfies ParameterNames<AddonsApi>;

/** Listener and extra parameter names of each event, in schema order. */
export const ADDONS_API_EVENTS = {
  onUninstalled: { parameters: ["addonId"], extraParameters: [] },
} as const satisfies EventParameterNames<AddonsApi>;
