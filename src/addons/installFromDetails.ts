import type {
  AddonInfo,
  AddonsApi,
  DownloadedInstall,
  DownloadLimits,
} from "../../experiment-apis/addons/interface.js";
import type { ExtensionDetails } from "../core/index.js";
import { AddonChangeRefused } from "./AddonChangeRefused.js";

/** Study and rollout add-ons are small; this bounds a download whose size the server does not state. */
export const MAX_XPI_BYTES = 50 * 1024 * 1024;
export const XPI_DOWNLOAD_TIMEOUT_MS = 5 * 60 * 1000;

export interface InstallSteps {
  /**
   * Records the install as pending (see PendingAddonChange). Runs before the download starts, so no
   * add-on is ever installed without a record.
   */
  recordPending(): Promise<void>;
  /** Checks the downloaded add-on, in the order Normandy does for this kind of change; null lets it install. */
  check(downloaded: DownloadedInstall): AddonChangeRefused | null;
  /** Takes back what `recordPending` wrote, after the install failed or was refused. */
  undoPending(): Promise<void>;
}

/**
 * Installs the package `details` describes, with its hash pinned, as Normandy's `downloadAndInstall`
 * does: record → download (paused before installing) → check → complete. Any failure cancels the paused
 * install, undoes the record and throws: AddonChangeRefused `download-failure` or `install-failure` with
 * the AddonManager error as detail, or the refusal `check` returned. Resolves with the installed add-on;
 * the caller then completes its record.
 */
export async function installFromDetails(
  addons: AddonsApi,
  details: ExtensionDetails,
  steps: InstallSteps,
): Promise<AddonInfo> {
  await steps.recordPending();
  try {
    const downloaded = await addons.prepareInstall(
      details.xpi,
      `${details.hash_algorithm}:${details.hash}`,
      downloadLimits(details),
    );
    if (downloaded.status === "failed") {
      throw new AddonChangeRefused("download-failure", `${details.xpi} failed to download: ${downloaded.message}`, {
        detail: downloaded.error,
      });
    }
    const refusal = steps.check(downloaded);
    if (refusal) {
      await addons.cancelInstall(downloaded.installId);
      throw refusal;
    }
    const installed = await addons.completeInstall(downloaded.installId);
    if (installed.status === "failed") {
      throw new AddonChangeRefused(
        "install-failure",
        `${details.extension_id} ${details.version} failed to install: ${installed.message}`,
        { detail: installed.error },
      );
    }
    return installed.addon;
  } catch (error) {
    await steps.undoPending();
    throw error;
  }
}

/** The server's metadata of a package, or a `download-failure`: without it there is nothing to download. */
export async function requireExtensionDetails(
  fetchDetails: (extensionApiId: number) => Promise<ExtensionDetails>,
  extensionApiId: number,
): Promise<ExtensionDetails> {
  try {
    return await fetchDetails(extensionApiId);
  } catch (error) {
    throw new AddonChangeRefused("download-failure", `No metadata for extension ${extensionApiId}: ${String(error)}`, {
      detail: "metadata-unavailable",
    });
  }
}

/** The refusal when the downloaded add-on is not the one the server's metadata describes. */
export function metadataMismatch(downloaded: DownloadedInstall, details: ExtensionDetails): AddonChangeRefused | null {
  const { id, version } = downloaded.addon;
  if (id === details.extension_id && version === details.version) return null;
  return new AddonChangeRefused(
    "metadata-mismatch",
    `the server describes ${details.extension_id} ${details.version}, but the package is ${id} ${version}`,
  );
}

/** The stated size is the limit (a larger download is not the package described), else the general cap. */
function downloadLimits(details: ExtensionDetails): DownloadLimits {
  return { maxBytes: Math.min(details.size ?? MAX_XPI_BYTES, MAX_XPI_BYTES), timeoutMs: XPI_DOWNLOAD_TIMEOUT_MS };
}
