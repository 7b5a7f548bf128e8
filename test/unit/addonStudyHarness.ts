/**
 * A client with add-on studies and rollouts against in-memory Firefox (add-ons, prefs) and an in-memory
 * server (packages by extensionApiId): publish packages, run actions, restart "Firefox".
 */
import { createHash } from "node:crypto";
import { vi } from "vitest";
import type { BaseAction } from "../../src/actions/BaseAction.js";
import type { Suitability } from "../../src/core/suitability.js";
import { STUDIES_OPT_OUT_PREF } from "../../src/config/ClientConfig.js";
import type { Recipe } from "../../src/core/index.js";
import { DeliveryError } from "../../src/delivery/DeliveryError.js";
import type { ExtensionDetails } from "../../src/core/index.js";
import { AddonRollouts } from "../../src/rollouts/AddonRollouts.js";
import { AddonRolloutStore } from "../../src/stores/AddonRolloutStore.js";
import { AddonStudyStore } from "../../src/stores/AddonStudyStore.js";
import { AddonStudies } from "../../src/studies/AddonStudies.js";
import { FakeAddonsApi, type FakePackage } from "../fakes/FakeAddonsApi.js";
import { FakeEnrollmentTelemetry } from "../fakes/FakeEnrollmentTelemetry.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

export const DAY_MS = 24 * 60 * 60 * 1000;
export const USER_ID = "8d6ee3ee-4c37-4e3b-9d64-9a4e1e0d0b7a";

export interface Notice {
  addonId: string;
  reason: string;
  /** Whether the add-on was still installed when it was told. */
  installedThen: boolean;
}

/** A client started up as the add-on starts: its modules' `init()` has run. */
export async function addonClient() {
  const addons = new FakeAddonsApi();
  const prefs = new FakePrefsApi();
  prefs.defaults.set(STUDIES_OPT_OUT_PREF, true);
  const storage = new MemoryStorage();
  const studyStore = new AddonStudyStore(storage);
  const rolloutStore = new AddonRolloutStore(storage);
  const telemetry = new FakeEnrollmentTelemetry();
  const server = new Map<number, ExtensionDetails>();
  const notices: Notice[] = [];
  const warnings: string[] = [];
  const clock = { now: new Date("2026-03-01T12:00:00.000Z") };
  /** When set, the unenroll notice never gets an answer (Firefox is killed while the add-on is told). */
  const noticeControl = { hang: false };

  const extensionDetails = async (extensionApiId: number) => {
    const details = server.get(extensionApiId);
    if (!details) throw new DeliveryError("server", `extension/${extensionApiId}/: HTTP 404 Not Found`);
    return details;
  };
  const warn = (message: string) => warnings.push(message);
  const createStudies = () =>
    new AddonStudies({
      addons,
      store: studyStore,
      telemetry,
      extensionDetails,
      notifyUnenroll: async (addonId, reason) => {
        notices.push({ addonId, reason, installedThen: addons.installed.has(addonId) });
        return noticeControl.hang ? new Promise<string>(() => undefined) : "answered";
      },
      info: () => undefined,
      warn,
      now: () => clock.now,
      newEnrollmentId: () => "enrollment-id",
    });
  const createRollouts = () =>
    new AddonRollouts({
      addons,
      store: rolloutStore,
      telemetry,
      extensionDetails,
      warn,
      newEnrollmentId: () => "enrollment-id",
    });

  const client = {
    addons,
    prefs,
    storage,
    studyStore,
    rolloutStore,
    telemetry,
    server,
    notices,
    warnings,
    clock,
    noticeControl,
    studies: createStudies(),
    rollouts: createRollouts(),

    /** Uploads a package to the "server" as `extensionApiId`, served at its own URL. */
    publish(extensionApiId: number, id: string, version: string, { size = 1000 } = {}): ExtensionDetails {
      const url = `http://server.test/extensions/${extensionApiId}.xpi`;
      const pkg: FakePackage = { id, version, sha256: sha256(`${id}@${version}`), size };
      addons.serve(url, pkg);
      const details: ExtensionDetails = {
        id: extensionApiId,
        name: id,
        xpi: url,
        extension_id: id,
        version,
        hash: pkg.sha256,
        hash_algorithm: "sha256",
        size,
      };
      server.set(extensionApiId, details);
      return details;
    },

    /** One run of a fresh action: each recipe with its suitability, then finalize. */
    async run(action: BaseAction, recipes: [Recipe, Suitability][], noRecipes = recipes.length === 0) {
      const outcomes = [];
      for (const [recipe, suitability] of recipes) outcomes.push(await action.processRecipe(recipe, suitability));
      const { status: actionStatus } = await action.finalize({ noRecipes });
      await addons.settled();
      return { outcomes, actionStatus };
    },

    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },

    /** Firefox restarts (or was killed): new modules over the same storage and add-ons, started up. */
    async restart() {
      addons.restart();
      noticeControl.hang = false;
      client.studies = createStudies();
      client.rollouts = createRollouts();
      await client.studies.init();
      await client.rollouts.init();
      await addons.settled();
    },
  };
  await client.studies.init();
  await client.rollouts.init();
  return client;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Waits until `check` holds (for an operation that is meant to hang half-way); fails after a second. */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error("the expected state never came");
    },
    { timeout: 1000, interval: 1 },
  );
}
