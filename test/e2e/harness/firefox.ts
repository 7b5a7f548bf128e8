/**
 * Launches a headless Firefox ESR with Marionette on a test profile and drives it: add-on installs,
 * scripts in the chrome context and in extension pages, console messages, restarts and crashes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  type WriteStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";
import { COLLECT_CONSOLE_MESSAGES, type ConsoleMessage } from "./console-messages.js";
import { type JsonValue, MarionetteClient, type MarionetteContext, MarionetteError } from "./marionette.js";
import { type UserPrefs, createTempProfile, writeUserJs } from "./profile.js";
import { unwrapOutcome, wrapAsyncBody } from "./script.js";

export interface LaunchOptions {
  /** Names the log file `test-results/<name>.log`. */
  name: string;
  /** Use this profile directory (kept afterwards) instead of a fresh temporary one (deleted on dispose). */
  profileDir?: string;
  /** Prefs written to `user.js` on top of the harness's test prefs. */
  prefs?: UserPrefs;
  /** How long to wait for Marionette to come up; default 30 s. */
  startupTimeoutMs?: number;
}

export interface InstallOptions {
  /** Temporary add-ons load from a directory (or .xpi) and are privileged; they vanish on restart. */
  temporary: boolean;
}

/** Something that can run a callback when the current test fails, e.g. vitest's test context. */
export interface FailureHook {
  onTestFailed(callback: () => void): void;
}

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const LOG_DIR = join(REPO_ROOT, "test-results");
const PORT_FILE = "MarionetteActivePort";
const QUIT_TIMEOUT_MS = 15_000;

export class Firefox {
  private process: ChildProcess | null = null;
  private client: MarionetteClient | null = null;
  private context: MarionetteContext | null = null;
  private keepLogFile = false;
  private readonly log: WriteStream;
  private readonly killOnExit = () => this.signal("SIGKILL");

  private constructor(
    readonly profileDir: string,
    readonly logPath: string,
    private readonly ownsProfile: boolean,
    private readonly startupTimeoutMs: number,
  ) {
    this.log = createWriteStream(logPath, { flags: "a" });
  }

  static async launch(options: LaunchOptions): Promise<Firefox> {
    const profileDir = options.profileDir ?? createTempProfile();
    mkdirSync(LOG_DIR, { recursive: true });
    const logPath = join(LOG_DIR, `${options.name.replace(/[^\w.-]+/g, "_")}.log`);
    rmSync(logPath, { force: true });
    writeUserJs(profileDir, options.prefs);
    const firefox = new Firefox(profileDir, logPath, !options.profileDir, options.startupTimeoutMs ?? 30_000);
    try {
      await firefox.start();
    } catch (error) {
      // Keep the log (it says why Firefox did not come up) but leave no process behind.
      firefox.keepLog();
      await firefox.dispose();
      throw error;
    }
    return firefox;
  }

  /** Process id of the running Firefox (changes on restart). */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Installs an add-on and returns its id. A permanent install needs an .xpi (see `buildXpi`). */
  async installAddon(path: string, { temporary }: InstallOptions): Promise<string> {
    const { value } = await this.marionette().send("Addon:Install", { path, temporary });
    return value;
  }

  async uninstallAddon(id: string): Promise<void> {
    await this.marionette().send("Addon:Uninstall", { id });
  }

  /**
   * Runs `body` (an async function body; arguments in `args`) in the browser window's chrome scope,
   * where `Services`, `ChromeUtils`, `Glean`, `WebExtensionPolicy`, … are available.
   */
  async evalInChrome<T>(body: string, ...args: JsonValue[]): Promise<T> {
    await this.setContext("chrome");
    const { value } = await this.marionette().send("WebDriver:ExecuteAsyncScript", {
      script: wrapAsyncBody(body),
      args,
    });
    return unwrapOutcome<T>("the chrome context", value);
  }

  /** The moz-extension:// URL of `path` inside the running add-on `addonId`. */
  extensionUrl(addonId: string, path: string): Promise<string> {
    return this.evalInChrome<string>(
      `const policy = WebExtensionPolicy.getByID(args[0]);
       if (!policy) throw new Error("No running add-on with id " + args[0]);
       return policy.getURL(args[1]);`,
      addonId,
      path,
    );
  }

  /**
   * Loads the add-on's page in the content tab and runs `body` there with the page's globals, so
   * `browser.*` is the page's own. The tab stays on the page afterwards.
   */
  async evalInExtensionPage<T>(addonId: string, pagePath: string, body: string, ...args: JsonValue[]): Promise<T> {
    const url = await this.extensionUrl(addonId, pagePath);
    await this.navigate(url);
    // No sandbox name: Marionette's default content sandbox has the window as prototype and no Xrays.
    const { value } = await this.marionette().send("WebDriver:ExecuteAsyncScript", {
      script: wrapAsyncBody(body),
      args,
    });
    return unwrapOutcome<T>(url, value);
  }

  /** Runs `body` (an async function body; arguments in `args`) in the page the content tab shows now. */
  async evalInContent<T>(body: string, ...args: JsonValue[]): Promise<T> {
    await this.setContext("content");
    const { value } = await this.marionette().send("WebDriver:ExecuteAsyncScript", {
      script: wrapAsyncBody(body),
      args,
    });
    return unwrapOutcome<T>("the content tab", value);
  }

  /**
   * Saves a PNG of the whole page the content tab shows to `path` (folders are created); with `full` false,
   * only what the viewport shows now.
   */
  async screenshot(path: string, { full = true } = {}): Promise<void> {
    await this.setContext("content");
    const { value } = await this.marionette().send("WebDriver:TakeScreenshot", { full, hash: false });
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(value, "base64"));
  }

  /** Saves a PNG of the browser window itself, its toolbars and notification bars included, to `path`. */
  async screenshotWindow(path: string): Promise<void> {
    await this.setContext("chrome");
    const { value } = await this.marionette().send("WebDriver:TakeScreenshot", { full: false, hash: false });
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(value, "base64"));
  }

  /** The handle of the tab scripts and navigation go to now. */
  async currentTab(): Promise<string> {
    await this.setContext("content");
    return (await this.marionette().send("WebDriver:GetWindowHandle", {})).value;
  }

  /** Opens a new tab and makes it the one scripts and navigation go to; returns its handle. */
  async openTab(): Promise<string> {
    await this.setContext("content");
    const { handle } = await this.marionette().send("WebDriver:NewWindow", { type: "tab", focus: true });
    await this.switchToTab(handle);
    return handle;
  }

  /** Makes the tab `handle` the one scripts and navigation go to (other tabs keep running). */
  async switchToTab(handle: string): Promise<void> {
    await this.marionette().send("WebDriver:SwitchToWindow", { handle });
  }

  /** Presses OK in the `confirm` (or `alert`) dialog the page has open. */
  async acceptDialog(): Promise<void> {
    await this.marionette().send("WebDriver:AcceptAlert", {});
  }

  /** The console API messages every Firefox process still holds, oldest first. */
  consoleMessages(): Promise<ConsoleMessage[]> {
    return this.evalInChrome<ConsoleMessage[]>(COLLECT_CONSOLE_MESSAGES);
  }

  /** Quits cleanly and starts again on the same profile; temporary add-ons are gone afterwards. */
  async restart(): Promise<void> {
    await this.quit();
    await this.start();
  }

  /** Asks Firefox to quit; kills it if it has not exited within 15 s. */
  async quit(): Promise<void> {
    const child = this.process;
    if (!child || hasExited(child)) return;
    const exited = once(child, "exit");
    if (this.client && !this.client.closed) {
      try {
        await withTimeout(this.client.send("Marionette:Quit", { flags: ["eForceQuit"] }), QUIT_TIMEOUT_MS);
      } catch {
        // The connection may drop before the reply arrives; the exit wait below decides.
      }
    } else {
      this.signal("SIGTERM");
    }
    this.disconnect();
    if (
      !(await withTimeout(exited, QUIT_TIMEOUT_MS).then(
        () => true,
        () => false,
      ))
    ) {
      this.signal("SIGKILL");
      await exited;
    }
  }

  /** SIGKILLs Firefox and its child processes, as a crash would, and waits for it to be gone. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || hasExited(child)) return;
    const exited = once(child, "exit");
    this.signal("SIGKILL");
    await exited;
    this.disconnect();
  }

  /** Waits until Firefox exits by itself (a script made it kill itself, say); fails after `timeoutMs`. */
  async exited(timeoutMs: number): Promise<void> {
    const child = this.process;
    if (
      child &&
      !hasExited(child) &&
      !(await withTimeout(once(child, "exit"), timeoutMs).then(
        () => true,
        () => false,
      ))
    ) {
      throw new Error(`Firefox did not exit within ${timeoutMs} ms`);
    }
    this.disconnect();
  }

  /** Marks the log to be kept by `dispose()`. */
  keepLog(): void {
    this.keepLogFile = true;
  }

  /** Keeps the log if the current test fails; call from `beforeEach` with vitest's test context. */
  keepLogOnFailure(hook: FailureHook): void {
    hook.onTestFailed(() => this.keepLog());
  }

  /** Quits Firefox, deletes a temporary profile, and deletes the log unless `keepLog()` was called. */
  async dispose(): Promise<void> {
    await this.quit();
    await new Promise<void>((resolve) => this.log.end(resolve));
    if (!this.keepLogFile) rmSync(this.logPath, { force: true });
    if (this.ownsProfile) rmSync(this.profileDir, { recursive: true, force: true });
  }

  private async start(): Promise<void> {
    const portFile = join(this.profileDir, PORT_FILE);
    rmSync(portFile, { force: true });
    const binary = process.env.FIREFOX_BINARY ?? "/usr/bin/firefox-esr";
    this.log.write(`\n=== ${new Date().toISOString()} starting ${binary} on ${this.profileDir}\n`);
    const child = spawn(
      binary,
      ["--marionette", "--headless", "--no-remote", "-remote-allow-system-access", "--profile", this.profileDir],
      // Own process group, so kill() reaches the content processes too.
      { detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    this.process = child;
    process.on("exit", this.killOnExit);
    child.once("exit", () => process.off("exit", this.killOnExit));

    const port = await this.waitForPort(child, portFile);
    this.client = await MarionetteClient.connect(port);
    this.context = null;
    await this.client.send("WebDriver:NewSession", { capabilities: {} });
  }

  private async waitForPort(child: ChildProcess, portFile: string): Promise<number> {
    // Resolves with null as soon as Firefox exits, so that failure is reported at once, not at the timeout.
    const port = await vi.waitFor(
      () => {
        if (hasExited(child)) return null;
        // The file can exist before its content is written; only a positive integer counts.
        const written = existsSync(portFile) ? Number(readFileSync(portFile, "utf8").trim()) : 0;
        if (!Number.isInteger(written) || written <= 0)
          throw new Error(`Marionette did not start within ${this.startupTimeoutMs} ms; see ${this.logPath}`);
        return written;
      },
      { timeout: this.startupTimeoutMs, interval: 50 },
    );
    if (port === null) throw new Error(`Firefox exited during start-up (code ${child.exitCode}); see ${this.logPath}`);
    return port;
  }

  private async setContext(context: MarionetteContext): Promise<void> {
    if (this.context === context) return;
    await this.marionette().send("Marionette:SetContext", { value: context });
    this.context = context;
  }

  /** Loads `url` in the content tab, as a user visiting it would. */
  async navigate(url: string): Promise<void> {
    await this.setContext("content");
    const client = this.marionette();
    try {
      await client.send("WebDriver:Navigate", { url });
    } catch (error) {
      if (!(error instanceof MarionetteError && error.error === "no such window")) throw error;
      // The session's tab was closed (Firefox closes an add-on's tabs when it reloads or goes away).
      const [handle] = await client.send("WebDriver:GetWindowHandles", {});
      if (!handle) throw error;
      await client.send("WebDriver:SwitchToWindow", { handle });
      await client.send("WebDriver:Navigate", { url });
    }
  }

  private marionette(): MarionetteClient {
    if (!this.client || this.client.closed) throw new Error("Firefox is not running (no Marionette connection)");
    return this.client;
  }

  private disconnect(): void {
    this.client?.close();
    this.client = null;
    this.context = null;
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.process?.pid;
    if (pid === undefined || !this.process || hasExited(this.process)) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  }
}

export function launchFirefox(options: LaunchOptions): Promise<Firefox> {
  return Firefox.launch(options);
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
