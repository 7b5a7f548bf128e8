import { readFileSync } from "node:fs";
import type {
  AddonInfo,
  AddonsApi,
  CompletedInstall,
  DownloadedInstall,
  DownloadLimits,
  InstallFailure,
} from "../../experiment-apis/addons/interface.js";

/** A package a URL serves. */
export interface FakePackage {
  id: string;
  version: string;
  name?: string;
  /** Lowercase hex; the download checks `sha256:<this>` against the hash it is given. */
  sha256: string;
  size: number;
}

/** A step that never finishes, to play Firefox being killed in the middle of it. */
export type HangingStep = "download" | "install" | "after-install";

type UninstallListener = (addonId: string) => void;

/**
 * In-memory AddonManager behind the addons API: URLs serve packages, downloads check the pinned hash and
 * the limits and then pause, completing installs (or replaces) the add-on. Like Firefox, uninstall events
 * reach listeners asynchronously (`settled()` waits) and fire for every uninstall, ours included.
 * `restart()` plays a Firefox restart: installed add-ons stay, paused installs and listeners are gone.
 */
export class FakeAddonsApi implements AddonsApi {
  readonly packages = new Map<string, FakePackage>();
  readonly installed = new Map<string, AddonInfo>();
  /** The next download of a URL fails with this AddonManager error. */
  readonly downloadErrors = new Map<string, string>();
  /** Completing the install of an add-on id fails with this error. */
  readonly installErrors = new Map<string, string>();
  /** Uninstalling these add-on ids throws. */
  readonly uninstallErrors = new Set<string>();
  /** What was called, in order: "prepare <url>", "complete <id> <version>", "cancel <id>", "uninstall <id>". */
  readonly calls: string[] = [];
  hangAt: HangingStep | null = null;

  private readonly paused = new Map<string, FakePackage>();
  private nextInstallId = 1;
  private readonly listeners = new Set<UninstallListener>();
  private pending: Promise<unknown>[] = [];

  /** Serves `pkg` at `url`. */
  serve(url: string, pkg: FakePackage): void {
    this.packages.set(url, pkg);
  }

  /** An add-on installed by someone else (the user, another program). */
  installDirectly(id: string, version: string): void {
    this.installed.set(id, { id, name: id, version, type: "extension", isActive: true });
  }

  async prepareInstall(url: string, hash: string, limits: DownloadLimits): Promise<DownloadedInstall | InstallFailure> {
    assertPrepareInstallArguments(hash, limits);
    this.calls.push(`prepare ${url}`);
    if (this.hangAt === "download") return never();
    const pkg = this.packages.get(url);
    const downloadError = this.downloadErrors.get(url);
    if (downloadError) return failed(downloadError);
    if (!pkg) return failed("ERROR_NETWORK_FAILURE");
    if (pkg.size > limits.maxBytes) return failed("ERROR_SIZE_LIMIT");
    if (hash.toLowerCase() !== `sha256:${pkg.sha256}`) return failed("ERROR_INCORRECT_HASH");
    const installId = String(this.nextInstallId++);
    this.paused.set(installId, pkg);
    const existing = this.installed.get(pkg.id);
    return {
      status: "downloaded",
      installId,
      addon: { id: pkg.id, version: pkg.version, name: pkg.name ?? pkg.id },
      existingAddon: existing ? { id: existing.id, version: existing.version } : null,
    };
  }

  async completeInstall(installId: string): Promise<CompletedInstall | InstallFailure> {
    const pkg = this.takePaused(installId);
    this.calls.push(`complete ${pkg.id} ${pkg.version}`);
    if (this.hangAt === "install") return never();
    const installError = this.installErrors.get(pkg.id);
    if (installError) return failed(installError);
    const addon: AddonInfo = {
      id: pkg.id,
      name: pkg.name ?? pkg.id,
      version: pkg.version,
      type: "extension",
      isActive: true,
    };
    this.installed.set(pkg.id, addon);
    if (this.hangAt === "after-install") return never();
    return { status: "installed", addon };
  }

  async cancelInstall(installId: string): Promise<void> {
    this.calls.push(`cancel ${this.takePaused(installId).id}`);
  }

  async getAddon(id: string): Promise<AddonInfo | null> {
    return this.installed.get(id) ?? null;
  }

  async listAddons(): Promise<AddonInfo[]> {
    return [...this.installed.values()];
  }

  async uninstall(id: string): Promise<boolean> {
    this.calls.push(`uninstall ${id}`);
    if (this.uninstallErrors.has(id)) throw new Error(`Cannot uninstall ${id}: it refuses`);
    if (!this.installed.has(id)) return false;
    this.removed(id);
    return true;
  }

  readonly onUninstalled = {
    addListener: (listener: UninstallListener) => {
      this.listeners.add(listener);
    },
    removeListener: (listener: UninstallListener) => {
      this.listeners.delete(listener);
    },
    hasListener: (listener: UninstallListener) => this.listeners.has(listener),
  };

  /** The user removes the add-on (about:addons), or it removes itself. */
  uninstallByUser(id: string): void {
    if (!this.installed.has(id)) throw new Error(`${id} is not installed`);
    this.removed(id);
  }

  /** Resolves once every uninstall event so far has been delivered and its listener's work is done. */
  async settled(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      await Promise.allSettled(batch);
    }
  }

  /** A Firefox restart (or a crash): installed add-ons stay; paused installs, listeners and hung steps are gone. */
  restart(): void {
    this.paused.clear();
    this.listeners.clear();
    this.pending = [];
    this.hangAt = null;
  }

  /** Paused installs not yet completed or cancelled. */
  pausedCount(): number {
    return this.paused.size;
  }

  private removed(id: string): void {
    this.installed.delete(id);
    for (const listener of this.listeners) this.pending.push(Promise.resolve().then(() => listener(id)));
  }

  private takePaused(installId: string): FakePackage {
    const pkg = this.paused.get(installId);
    if (!pkg) throw new Error(`There is no paused install ${installId}`);
    this.paused.delete(installId);
    return pkg;
  }
}

function failed(error: string): InstallFailure {
  return { status: "failed", error, message: `fake: ${error}` };
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/** The addons schema's checks of `prepareInstall`, which Firefox makes before the parent script is called. */
const PREPARE_INSTALL = (
  JSON.parse(readFileSync(new URL("../../experiment-apis/addons/schema.json", import.meta.url), "utf8")) as {
    functions: { name: string; parameters: { name: string; pattern?: string }[] }[];
  }[]
)[0]!.functions.find((fn) => fn.name === "prepareInstall")!;
const HASH_PATTERN = new RegExp(PREPARE_INSTALL.parameters.find((parameter) => parameter.name === "hash")!.pattern!);

function assertPrepareInstallArguments(hash: string, limits: DownloadLimits): void {
  if (!HASH_PATTERN.test(hash))
    throw new Error(`prepareInstall: hash ${JSON.stringify(hash)} does not match ${HASH_PATTERN}`);
  for (const [name, limit] of Object.entries(limits)) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`prepareInstall: limits.${name} must be an integer of at least 1, got ${limit}`);
  }
}
