/**
 * The set-up most e2e files share: a local recipe server in a temporary folder, then the add-on under test
 * in a fresh Firefox configured for it, both torn down after the file's tests.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startRecipeServer, type RunningRecipeServer } from "../../../server/recipeServer.js";
import type { UserPrefs } from "../harness/index.js";
import { AddonUnderTest, prefsFor } from "./addonUnderTest.js";

export interface ServerAndAddonOptions {
  /** What the server's `classify_client/` answers as the client's country. */
  country?: string;
  /** Turns change notices on (see `prefsFor`). */
  notices?: boolean;
  /** Launch prefs on top of `prefsFor(server)`. */
  prefs?: UserPrefs;
  /**
   * User values already in the profile's prefs.js at the first start, as if the user had set them before:
   * unlike the launch prefs (user.js), Firefox does not re-apply them at every start.
   */
  profilePrefs?: UserPrefs;
  /** Files (name → content) already in the profile folder at the first start, e.g. `times.json` for the profile's age. */
  profileFiles?: Readonly<Record<string, string>>;
  /** Installs the add-on from an .xpi so that it survives `firefox.restart()` (see `AddonStartOptions`). */
  installPermanently?: boolean;
  /** Runs once the server is up, before Firefox starts: stores and publishes what the first run should see. */
  prepareServer?: (server: RunningRecipeServer, workDir: string) => Promise<void>;
  /** Waits for the add-on's start-up run before the first test. */
  waitForFirstRun?: boolean;
}

export interface ServerAndAddon {
  readonly server: RunningRecipeServer;
  readonly addon: AddonUnderTest;
  /** The temporary folder, deleted after the tests; the server's data is in its `server` folder. */
  readonly workDir: string;
  /** Starts the server again on its port and data folder, after a test closed it to play an outage. */
  restartServer(): Promise<void>;
}

/**
 * Registers the hooks that start the server and the add-on (`name` names Firefox's log) before the tests of
 * the enclosing `describe`, keep Firefox's log of a failed test, and stop both afterwards. Read `server` and
 * `addon` from the returned object inside hooks and tests: they exist only once its `beforeAll` has run.
 */
export function useServerAndAddon(name: string, options: ServerAndAddonOptions = {}): ServerAndAddon {
  const {
    country,
    notices = false,
    prefs = {},
    profilePrefs,
    profileFiles,
    installPermanently = false,
    prepareServer,
    waitForFirstRun = false,
  } = options;
  let workDir: string | undefined;
  let server: RunningRecipeServer | undefined;
  let addon: AddonUnderTest | undefined;

  const running: ServerAndAddon = {
    get server() {
      if (!server) throw new Error("the recipe server is not started yet: read it in a hook or a test");
      return server;
    },
    get addon() {
      if (!addon) throw new Error("the add-on is not started yet: read it in a hook or a test");
      return addon;
    },
    get workDir() {
      if (!workDir) throw new Error("the work folder is not created yet: read it in a hook or a test");
      return workDir;
    },
    async restartServer() {
      server = await startRecipeServer({
        dataDir: join(running.workDir, "server"),
        port: running.server.port,
        country,
      });
    },
  };

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), `${name}-e2e-`));
    server = await startRecipeServer({ dataDir: join(workDir, "server"), port: 0, country });
    await prepareServer?.(server, workDir);
    let profileDir: string | undefined;
    if (profilePrefs || profileFiles) {
      profileDir = join(workDir, "profile");
      mkdirSync(profileDir);
      const lines = Object.entries(profilePrefs ?? {}).map(
        ([pref, value]) => `user_pref(${JSON.stringify(pref)}, ${JSON.stringify(value)});\n`,
      );
      const files = { ...profileFiles, ...(profilePrefs ? { "prefs.js": lines.join("") } : {}) };
      for (const [file, content] of Object.entries(files)) writeFileSync(join(profileDir, file), content);
    }
    addon = await AddonUnderTest.start(
      name,
      { ...prefsFor(server, { notices }), ...prefs },
      {
        ...(profileDir ? { profileDir } : {}),
        ...(installPermanently ? { permanentXpiDir: join(workDir, "addon-under-test") } : {}),
      },
    );
    if (waitForFirstRun) await addon.waitForRuns(1);
  });

  beforeEach((context) => running.addon.firefox.keepLogOnFailure(context));

  afterAll(async () => {
    await addon?.dispose();
    await server?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  return running;
}
