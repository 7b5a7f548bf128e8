/**
 * Parent script of `browser.experiments.addons`: a thin layer over AddonManager. An install is started with
 * the hash pinned (`getInstallForURL(url, {hash})`, as Normandy does) and paused at the end of the download
 * by returning false from `onDownloadEnded`; it stays paused, keyed by an id, until the caller completes or
 * cancels it. Results are plain JSON. Bundled as an IIFE under the manifest key "addonsExperiment"
 * (telemetry/api.ts says why keys are not the bare namespace).
 */
import type {
  AddonInfo,
  AddonsApi,
  CompletedInstall,
  DownloadedInstall,
  DownloadLimits,
  InstallFailure,
} from "./interface.js";

declare global {
  var addonsExperiment: typeof ExtensionAPI;
}

/** The members of AddonManager's objects this script uses (ESR 153 `AddonManager.sys.mjs`, `XPIInstall.sys.mjs`). */
interface GeckoAddon {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly type: string;
  readonly isActive: boolean;
  uninstall(): Promise<void>;
}

/** Listener methods are called with the install (and, for onInstallEnded, the add-on); false pauses or vetoes. */
interface GeckoInstallListener {
  onDownloadProgress?(install: GeckoAddonInstall): void;
  onDownloadEnded?(install: GeckoAddonInstall): boolean | void;
  onDownloadFailed?(install: GeckoAddonInstall): void;
  onDownloadCancelled?(install: GeckoAddonInstall): void;
  onInstallEnded?(install: GeckoAddonInstall, addon: GeckoAddon): void;
  onInstallFailed?(install: GeckoAddonInstall): void;
  onInstallCancelled?(install: GeckoAddonInstall): void;
  onInstallPostponed?(install: GeckoAddonInstall): void;
}

interface GeckoAddonInstall {
  readonly state: number;
  readonly error: number;
  readonly progress: number;
  /** The download's Content-Length, -1 when unknown. */
  readonly maxProgress: number;
  /** Known once the download has been read. */
  readonly addon: GeckoAddon | null;
  readonly existingAddon: GeckoAddon | null;
  addListener(listener: GeckoInstallListener): void;
  removeListener(listener: GeckoInstallListener): void;
  /** Starts or resumes the install; its promise never rejects, the listeners tell the outcome. */
  install(): Promise<unknown>;
  cancel(): void;
}

interface GeckoAddonManager {
  readonly STATE_DOWNLOADED: number;
  getInstallForURL(
    url: string,
    options: { hash: string; telemetryInfo: { source: string } },
  ): Promise<GeckoAddonInstall>;
  getAddonByID(id: string): Promise<GeckoAddon | null>;
  getAddonsByTypes(types: string[]): Promise<GeckoAddon[]>;
  errorToString(error: number): string | null;
  addAddonListener(listener: { onUninstalled(addon: GeckoAddon): void }): void;
  removeAddonListener(listener: { onUninstalled(addon: GeckoAddon): void }): void;
}

interface Modules {
  "resource://gre/modules/AddonManager.sys.mjs": { AddonManager: GeckoAddonManager };
  /** Firefox internals: the add-ons' startup state (XPIStates), what Firefox starts each add-on from. */
  "resource://gre/modules/addons/XPIProvider.sys.mjs": {
    XPIInternal?: { XPIStates?: { findAddon(id: string): { version?: string } | undefined } };
  };
  "resource://gre/modules/Timer.sys.mjs": {
    setTimeout(callback: () => void, ms: number): number;
    clearTimeout(id: number): void;
  };
}

function load<Url extends keyof Modules>(url: Url): Modules[Url] {
  return ChromeUtils.importESModule<Modules[Url]>(url);
}

const addonManager = () => load("resource://gre/modules/AddonManager.sys.mjs").AddonManager;

/**
 * The add-on as JSON, at the version Firefox starts it at. After Firefox was killed right after an update,
 * AddonManager can answer from an add-on database (extensions.json, saved a little after an install) that
 * still has the previous version, while Firefox's startup state (XPIStates, addonStartup.json.lz4, saved at
 * once) has the new one and Firefox runs it; AddonManager only catches up later in the session. The startup
 * state decides then, so a crash repair does not take a finished update for an interrupted one.
 */
function addonInfo(addon: GeckoAddon): AddonInfo {
  const { id, name, type, isActive } = addon;
  const started = startupStateVersion(id);
  if (started !== undefined && started !== addon.version) {
    console.warn(
      `[recipe-client] AddonManager has ${id} at ${addon.version}, Firefox's startup state at ${started}: the add-on database is behind`,
    );
  }
  return { id, name, version: started ?? addon.version, type, isActive };
}

function startupStateVersion(id: string): string | undefined {
  try {
    return load("resource://gre/modules/addons/XPIProvider.sys.mjs").XPIInternal?.XPIStates?.findAddon(id)?.version;
  } catch {
    return undefined; // internals moved: AddonManager's answer stands
  }
}

function failure(error: string, message: string): InstallFailure {
  return { status: "failed", error, message };
}

/** The AddonManager error of a failed install step, by name. */
function installError(install: GeckoAddonInstall, fallback: string): string {
  return addonManager().errorToString(install.error) ?? fallback;
}

/**
 * Runs the download of `install` up to its end and pauses it there. Exceeding a limit cancels the
 * download; the cancellation then reports which limit it was.
 */
function download(
  install: GeckoAddonInstall,
  limits: DownloadLimits,
  onPaused: (install: GeckoAddonInstall) => DownloadedInstall,
) {
  const { setTimeout, clearTimeout } = load("resource://gre/modules/Timer.sys.mjs");
  return new Promise<DownloadedInstall | InstallFailure>((resolve) => {
    let cancelledFor: string | null = null;
    let settled = false;
    const finish = (result: DownloadedInstall | InstallFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      install.removeListener(listener);
      resolve(result);
    };
    const cancelFor = (error: string) => {
      cancelledFor ??= error;
      try {
        install.cancel();
      } catch (cancelError) {
        // A state that cannot be cancelled (e.g. checking for a compatible update): give up on it anyway.
        finish(failure(error, `the download could not be stopped: ${String(cancelError)}`));
      }
    };
    const listener: GeckoInstallListener = {
      onDownloadProgress() {
        if (install.progress > limits.maxBytes || install.maxProgress > limits.maxBytes) cancelFor("ERROR_SIZE_LIMIT");
      },
      onDownloadEnded() {
        finish(onPaused(install));
        return false; // pause: the caller records the install before it completes
      },
      onDownloadFailed() {
        finish(failure(installError(install, "ERROR_DOWNLOAD_FAILED"), "the download failed"));
      },
      onDownloadCancelled() {
        const error = cancelledFor ?? "ERROR_CANCELLED";
        const limit =
          error === "ERROR_SIZE_LIMIT"
            ? `larger than ${limits.maxBytes} bytes`
            : `not done within ${limits.timeoutMs} ms`;
        finish(failure(error, cancelledFor === null ? "the download was cancelled" : `the download was ${limit}`));
      },
    };
    const timer = setTimeout(() => cancelFor("ERROR_TIMEOUT"), limits.timeoutMs);
    install.addListener(listener);
    void install.install();
  });
}

/** Resumes a paused install and reports how it ended. A postponed update is cancelled, not left pending. */
function finishInstall(install: GeckoAddonInstall): Promise<CompletedInstall | InstallFailure> {
  return new Promise((resolve) => {
    let postponed = false;
    const finish = (result: CompletedInstall | InstallFailure) => {
      install.removeListener(listener);
      resolve(result);
    };
    const listener: GeckoInstallListener = {
      onInstallEnded(_install, addon) {
        finish({ status: "installed", addon: addonInfo(addon) });
      },
      onInstallFailed() {
        finish(failure(installError(install, "ERROR_INSTALL_FAILED"), "the install failed"));
      },
      onInstallCancelled() {
        finish(
          postponed
            ? failure("ERROR_POSTPONED", "the running add-on delayed its update")
            : failure("ERROR_CANCELLED", "the install was cancelled"),
        );
      },
      onInstallPostponed() {
        // The running add-on asked to finish the update later (runtime.onUpdateAvailable); a caller that
        // recorded this version must not be left guessing when it will happen.
        postponed = true;
        install.cancel();
      },
    };
    install.addListener(listener);
    void install.install();
  });
}

globalThis.addonsExperiment = class AddonsExperimentApi extends ExtensionAPI {
  /** Installs paused after their download, by install id. */
  private readonly paused = new Map<string, GeckoAddonInstall>();
  private nextInstallId = 1;

  /** Paused installs die with the add-on; their downloads are deleted. */
  override onShutdown(): void {
    for (const install of this.paused.values()) cancelQuietly(install);
    this.paused.clear();
  }

  getAPI(context: GeckoExtensionContext) {
    const takePaused = (installId: string): GeckoAddonInstall => {
      const install = this.paused.get(installId);
      if (!install) throw new ExtensionUtils.ExtensionError(`There is no paused install ${installId}`);
      this.paused.delete(installId);
      return install;
    };

    const addons: AddonsApi = {
      prepareInstall: async (url, hash, limits) => {
        let install: GeckoAddonInstall;
        try {
          install = await addonManager().getInstallForURL(url, { hash, telemetryInfo: { source: "internal" } });
        } catch (error) {
          throw new ExtensionUtils.ExtensionError(`Cannot install from ${url}: ${String(error)}`);
        }
        return download(install, limits, (downloaded) => {
          const installId = String(this.nextInstallId++);
          this.paused.set(installId, downloaded);
          const { id, version, name } = downloaded.addon!;
          const existing = downloaded.existingAddon;
          return {
            status: "downloaded",
            installId,
            addon: { id, version, name },
            existingAddon: existing ? { id: existing.id, version: existing.version } : null,
          };
        });
      },

      completeInstall: async (installId) => {
        const install = takePaused(installId);
        // Firefox cancels downloads itself when it goes offline or starts to quit.
        if (install.state !== addonManager().STATE_DOWNLOADED)
          return failure("ERROR_CANCELLED", "Firefox cancelled the paused install");
        return finishInstall(install);
      },

      cancelInstall: async (installId) => {
        cancelQuietly(takePaused(installId));
      },

      getAddon: async (id) => {
        const addon = await addonManager().getAddonByID(id);
        return addon ? addonInfo(addon) : null;
      },

      listAddons: async () => (await addonManager().getAddonsByTypes(["extension"])).map(addonInfo),

      uninstall: async (id) => {
        const addon = await addonManager().getAddonByID(id);
        if (!addon) return false;
        try {
          await addon.uninstall();
        } catch (error) {
          throw new ExtensionUtils.ExtensionError(`Cannot uninstall ${id}: ${String(error)}`);
        }
        return true;
      },

      onUninstalled: new ExtensionCommon.EventManager({
        context,
        name: "experiments.addons.onUninstalled",
        register: (fire) => {
          const listener = { onUninstalled: (addon: GeckoAddon) => fire.async(addon.id) };
          addonManager().addAddonListener(listener);
          return () => addonManager().removeAddonListener(listener);
        },
      }).api() as AddonsApi["onUninstalled"],
    };
    return { experiments: { addons } };
  }
};

/** Cancels a paused install; one already gone (the download failed later, Firefox shut down) is fine. */
function cancelQuietly(install: GeckoAddonInstall): void {
  try {
    if (install.state === addonManager().STATE_DOWNLOADED) install.cancel();
  } catch {
    // Nothing left to cancel.
  }
}
