/**
 * Crash consistency in real Firefox: while a run enrolls, updates or unenrolls a preference study, a
 * preference rollout and an add-on study, Firefox is SIGKILLed at a random moment (seeded), then started
 * again on the same profile with the server failing, so what is checked is exactly what the crash and the
 * start-up left: every pref a recipe names is either owned by an active store record or not changed (taken
 * back), no test add-on is installed without an active study that owns it, no active study lacks its add-on,
 * no add-on change is left pending, and every store loads without damage. Then a healthy run must reach the
 * phase's end state. Last, a store value damaged on disk is quarantined, reported on the QA console, and the
 * store rebuilt from its sound records.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { RunningRecipeServer } from "../../server/recipeServer.js";
import { matchingRecipe as recipe } from "../e2e/support/matchingRecipe.js";
import { startRecipeServer } from "../../server/recipeServer.js";
import type { StudiesState } from "../../src/messages.js";
import { MANUAL_TRIGGER } from "../../src/runner/RecipeRunner.js";
import { waitForValue } from "../e2e/harness/index.js";
import { ADDON_ID, AddonUnderTest, prefsFor } from "../e2e/support/addonUnderTest.js";
import { buildTestAddon, installedAddon, uploadXpi } from "../e2e/support/testAddons.js";
import { AreaTally, QUICK, reliabilitySeed } from "./support/areaFigures.js";
import { SeededRandom } from "./support/seededRandom.js";

type Kind = "preference study" | "preference rollout" | "add-on study";
type Phase = "enroll" | "update" | "unenroll";
const KINDS: Kind[] = ["preference study", "preference rollout", "add-on study"];
const PHASES: Phase[] = ["enroll", "update", "unenroll"];
const ROUNDS = QUICK ? 1 : 3;
/** Recipes published next to the one under test, so a run lasts long enough to be interrupted anywhere. */
const PADDING_RECIPES = 40;
const CONSOLE_PAGE = "pages/console.html";

const tally = new AreaTally("crash");
const seed = reliabilitySeed();
const random = new SeededRandom(seed);
const figures = {
  kills: 0,
  midRun: 0,
  untrackedPrefs: 0,
  orphanedAddons: 0,
  addonlessStudies: 0,
  pendingChanges: 0,
  quarantined: 0,
};
let workDir: string;
let server: RunningRecipeServer;
let addon: AddonUnderTest;
let lastRunMs = 500;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "crash-"));
  server = await startRecipeServer({ dataDir: join(workDir, "server"), port: 0 });
  for (let index = 0; index < PADDING_RECIPES; index++) {
    server.store.create(
      {
        name: `padding ${index}`,
        action: "console-log",
        arguments: { message: `padding ${index}` },
        filter_expression: `normandy.locale == "xx-${index}"`,
        capabilities: [],
      },
      true,
    );
  }
  await server.publish();
  addon = await AddonUnderTest.start("reliability-crash", prefsFor(server), {
    permanentXpiDir: join(workDir, "client"),
  });
  await addon.waitForRuns(1);
  // A clean restart first: Firefox writes its add-on database lazily, and a kill right after the install
  // could lose the recipe client itself, which is not what this test is about.
  await addon.firefox.restart();
  await addon.waitForRuns(2);
});

beforeEach((context) => addon.firefox.keepLogOnFailure(context));

afterAll(async () => {
  tally.write(
    `${figures.kills} kills (seed ${seed}; ${figures.midRun} before the run could record its report), ${tally.passed} of ${tally.tried} cases consistent, ` +
      `untracked prefs = ${figures.untrackedPrefs}, orphaned add-ons = ${figures.orphanedAddons}, ` +
      `studies without their add-on = ${figures.addonlessStudies}, damaged stores quarantined and reported = ${figures.quarantined}`,
  );
  await addon?.dispose();
  await server?.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** What one round of one kind puts on the server and checks in Firefox. */
interface Subject {
  prefs: string[];
  addonId: string | null;
  /** Puts the recipe for `phase` on the server (publishing is the caller's). */
  prepare(phase: Phase): Promise<void>;
  /** Whether the healthy run after `phase` reached its end state; a problem, or null. */
  reached(phase: Phase, studies: StudiesState): Promise<string | null>;
}

const prefState = (name: string) =>
  addon.firefox.evalInChrome<{ exists: boolean; user: unknown; default: unknown }>(
    `const name = args[0];
     const read = (branch) => { try { return branch.getPrefType(name) === branch.PREF_STRING ? branch.getStringPref(name) : branch.getPrefType(name) === branch.PREF_INT ? branch.getIntPref(name) : branch.getBoolPref(name); } catch { return null; } };
     return { exists: Services.prefs.getPrefType(name) !== 0, user: Services.prefs.prefHasUserValue(name) ? read(Services.prefs) : null, default: read(Services.prefs.getDefaultBranch("")) };`,
    name,
  );

function preferenceStudy(round: number): Subject {
  const slug = `crash-study-${round}`;
  const prefs = [`crash.study.${round}.user`, `crash.study.${round}.default`];
  let id = 0;
  const args = (description: string) => ({
    slug,
    userFacingName: "Crash study",
    userFacingDescription: description,
    isEnrollmentPaused: false,
    branches: [
      {
        slug: "only",
        ratio: 1,
        preferences: {
          [prefs[0]!]: { preferenceType: "string", preferenceBranchType: "user", preferenceValue: "study" },
          [prefs[1]!]: { preferenceType: "integer", preferenceBranchType: "default", preferenceValue: 7 },
        },
      },
    ],
  });
  return {
    prefs,
    addonId: null,
    async prepare(phase) {
      if (phase === "enroll")
        id = server.store.create(recipe(slug, "multi-preference-experiment", args("first")), true).id;
      if (phase === "update") server.store.update(id, recipe(slug, "multi-preference-experiment", args("edited")));
      if (phase === "unenroll") server.store.setEnabled(id, false);
    },
    async reached(phase, studies) {
      const study = studies.preferenceExperiments.find((candidate) => candidate.slug === slug);
      const states = await Promise.all(prefs.map(prefState));
      if (phase === "unenroll")
        return study?.expired && states.every((state) => !state.exists)
          ? null
          : `not unenrolled: ${JSON.stringify({ study, states })}`;
      return study && !study.expired && states[0]!.user === "study" && states[1]!.default === 7
        ? null
        : `not enrolled: ${JSON.stringify({ study, states })}`;
    },
  };
}

function preferenceRollout(round: number): Subject {
  const slug = `crash-rollout-${round}`;
  const prefs = [`crash.rollout.${round}.a`, `crash.rollout.${round}.b`];
  let id = 0;
  const args = (value: number) => ({ slug, preferences: prefs.map((preferenceName) => ({ preferenceName, value })) });
  return {
    prefs,
    addonId: null,
    async prepare(phase) {
      if (phase === "enroll") id = server.store.create(recipe(slug, "preference-rollout", args(1)), true).id;
      if (phase === "update") server.store.update(id, recipe(slug, "preference-rollout", args(2)));
      if (phase === "unenroll") {
        server.store.setEnabled(id, false);
        server.store.create(recipe(`${slug} rollback`, "preference-rollback", { rolloutSlug: slug }), true);
      }
    },
    async reached(phase, studies) {
      const rollout = studies.preferenceRollouts.find((candidate) => candidate.slug === slug);
      const states = await Promise.all(prefs.map(prefState));
      if (phase === "unenroll")
        return rollout?.state === "rolled-back" && states.every((state) => !state.exists)
          ? null
          : `not rolled back: ${JSON.stringify({ rollout, states })}`;
      const value = phase === "enroll" ? 1 : 2;
      return rollout?.state === "active" && states.every((state) => state.default === value)
        ? null
        : `not at ${value}: ${JSON.stringify({ rollout, states })}`;
    },
  };
}

function addonStudy(round: number): Subject {
  const slug = `crash-addon-study-${round}`;
  const addonId = `crash-study-${round}@recipe-client.test`;
  let id = 0;
  const args = (extensionApiId: number) => ({
    slug,
    userFacingName: "Crash add-on study",
    userFacingDescription: "Installs an add-on",
    isEnrollmentPaused: false,
    branches: [{ slug: "treatment", ratio: 1, extensionApiId }],
  });
  const upload = async (version: string) =>
    (await uploadXpi(server, await buildTestAddon(workDir, addonId, version))).id;
  return {
    prefs: [],
    addonId,
    async prepare(phase) {
      if (phase === "enroll")
        id = server.store.create(recipe(slug, "branched-addon-study", args(await upload("1.0"))), true).id;
      if (phase === "update") server.store.update(id, recipe(slug, "branched-addon-study", args(await upload("2.0"))));
      if (phase === "unenroll") server.store.setEnabled(id, false);
    },
    async reached(phase, studies) {
      const study = studies.addonStudies.find((candidate) => candidate.slug === slug);
      const installed = await installedAddon(addon.firefox, addonId);
      if (phase === "unenroll")
        return study && !study.active && installed === null
          ? null
          : `not ended: ${JSON.stringify({ study, installed })}`;
      const version = phase === "enroll" ? "1.0" : "2.0";
      return study?.active && installed?.version === version
        ? null
        : `not at ${version}: ${JSON.stringify({ study, installed })}`;
    },
  };
}

/** The rules a crash must never break, checked against what Firefox and the stores hold now. */
async function inconsistencies(subjects: Subject[]): Promise<string[]> {
  const problems: string[] = [];
  const studies = await addon.studies();
  const { quarantine } = await addon.state();
  if (quarantine.length > 0) problems.push(`stores read back damaged: ${JSON.stringify(quarantine)}`);
  const ownedPrefs = new Set([
    ...studies.preferenceExperiments
      .filter((study) => !study.expired)
      .flatMap((study) => Object.keys(study.preferences)),
    ...studies.preferenceRollouts
      .filter((rollout) => rollout.state === "active")
      .flatMap((rollout) => rollout.preferences.map((preference) => preference.preferenceName)),
  ]);
  for (const name of subjects.flatMap((subject) => subject.prefs)) {
    if ((await prefState(name)).exists && !ownedPrefs.has(name)) {
      figures.untrackedPrefs += 1;
      problems.push(`pref ${name} is changed but no active record owns it`);
    }
  }
  for (const study of studies.addonStudies) {
    if (study.pendingChange !== null) {
      figures.pendingChanges += 1;
      problems.push(`add-on study ${study.slug} still has a pending ${study.pendingChange.kind}`);
    }
  }
  for (const addonId of subjects.flatMap((subject) => (subject.addonId ? [subject.addonId] : []))) {
    const installed = await installedAddon(addon.firefox, addonId);
    const owner = studies.addonStudies.find((study) => study.active && study.addonId === addonId);
    if (installed && !owner) {
      figures.orphanedAddons += 1;
      problems.push(`${addonId} is installed but no active study owns it`);
    }
    if (owner && installed?.version !== owner.addonVersion) {
      figures.addonlessStudies += 1;
      problems.push(
        `study ${owner.slug} is active without ${addonId} ${owner.addonVersion} (installed: ${JSON.stringify(installed)})`,
      );
    }
  }
  return problems;
}

/**
 * Starts a run and SIGKILLs Firefox `delayMs` later; restarts it with the server failing, so no run can repair
 * anything. Counts the kills that came before the run had recorded its report (in the middle of it, or before).
 */
async function killDuringRun(delayMs: number): Promise<void> {
  const triggeredAt = Date.now();
  await addon.firefox.evalInExtensionPage(
    ADDON_ID,
    CONSOLE_PAGE,
    `browser.runtime.sendMessage({ type: "run-now" }); return null;`,
  );
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  await addon.firefox.kill();
  figures.kills += 1;
  server.faults.set({ kind: "http-status", status: 500 });
  const killedAt = Date.now();
  await addon.firefox.restart();
  // The start-up run waits for start-up to settle every pending change, then fails on the server: once it
  // is recorded, what is left is what the crash and the start-up made of it.
  const startupRunRecorded = async () => ((await addon.state().catch(() => null))?.runs[0]?.startedAt ?? 0) > killedAt;
  await waitForValue("the start-up run after the restart", startupRunRecorded, { timeoutMs: 30_000 }).catch(
    async () => {
      const state = await addon.firefox.evalInChrome(
        `const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
       const found = await AddonManager.getAddonByID(args[0]);
       return found && { isActive: found.isActive, userDisabled: found.userDisabled, appDisabled: found.appDisabled };`,
        ADDON_ID,
      );
      throw new Error(`no start-up run after the restart; the recipe client: ${JSON.stringify(state)}`);
    },
  );
  server.faults.clear();
  if (!(await addon.state()).runs.some((run) => run.trigger === MANUAL_TRIGGER && run.startedAt >= triggeredAt - 1))
    figures.midRun += 1;
}

it(`Firefox killed at random moments while studies and rollouts change: nothing lost, nothing orphaned (seed ${seed})`, async () => {
  console.log(`crash: seed ${seed} (replay with RELIABILITY_SEED=${seed})`);
  for (let round = 0; round < ROUNDS; round++) {
    const subjects: [Kind, Subject][] = [
      ["preference study", preferenceStudy(round)],
      ["preference rollout", preferenceRollout(round)],
      ["add-on study", addonStudy(round)],
    ];
    for (const phase of PHASES) {
      for (const [kind, subject] of subjects) {
        await subject.prepare(phase);
        await server.publish();
        const delayMs = random.int(0, Math.round(lastRunMs * 1.5));
        await killDuringRun(delayMs);
        const problems = await inconsistencies(subjects.map(([, candidate]) => candidate));
        const healthy = await addon.runNow();
        lastRunMs = healthy.durationMs;
        if (healthy.runnerStatus !== "success")
          problems.push(`the healthy run after the restart: ${healthy.runnerStatus} ${healthy.error ?? ""}`);
        problems.push(...(await inconsistencies(subjects.map(([, candidate]) => candidate))));
        const reached = await subject.reached(phase, await addon.studies());
        if (reached) problems.push(`after the healthy run: ${reached}`);
        tally.record(`round ${round}: ${kind} ${phase}, killed ${delayMs} ms into the run`, problems);
      }
    }
  }
  expect(KINDS.length * PHASES.length * ROUNDS).toBe(tally.tried);
  expect(tally.failures).toEqual([]);
});

it("a store value damaged on disk is quarantined, reported on the QA console, and rebuilt from its sound records", async () => {
  const rolloutsBefore = (await addon.studies()).preferenceRollouts.map((rollout) => rollout.slug).sort();
  // A record cut short, next to the sound ones, as a crash in the middle of an older version's write could leave it.
  await addon.firefox.evalInExtensionPage(
    ADDON_ID,
    CONSOLE_PAGE,
    `const { preferenceRollouts } = await browser.storage.local.get("preferenceRollouts");
     preferenceRollouts.rollouts["half-written"] = { slug: "half-written", state: "act" };
     await browser.storage.local.set({ preferenceRollouts });
     return null;`,
  );
  await addon.firefox.restart();
  await addon.waitForRuns(1);

  const problems: string[] = [];
  const { quarantine } = await addon.state();
  if (quarantine.length !== 1 || quarantine[0]!.key !== "preferenceRollouts" || quarantine[0]!.dropped !== 1)
    problems.push(`notes: ${JSON.stringify(quarantine)}`);
  const kept = await addon.firefox.evalInExtensionPage<unknown>(
    ADDON_ID,
    CONSOLE_PAGE,
    `return (await browser.storage.local.get(args[0]))[args[0]];`,
    quarantine[0]?.quarantinedAs ?? "",
  );
  if (JSON.stringify(kept).indexOf("half-written") === -1) problems.push("the damaged value was not kept");
  const rolloutsAfter = (await addon.studies()).preferenceRollouts.map((rollout) => rollout.slug).sort();
  if (JSON.stringify(rolloutsAfter) !== JSON.stringify(rolloutsBefore))
    problems.push(`rebuilt ${rolloutsAfter}, had ${rolloutsBefore}`);
  // The console fills its quarantine section once it has the state: open it, then read the section until it shows.
  await addon.firefox.evalInExtensionPage(ADDON_ID, CONSOLE_PAGE, `return null;`);
  const quarantineSection = () =>
    addon.firefox.evalInContent<{ hidden: boolean; text: string }>(
      `const section = document.getElementById("quarantine");
       return { hidden: section.hidden, text: section.textContent };`,
    );
  const showsDamage = (section: { hidden: boolean; text: string }) =>
    !section.hidden && section.text.includes("preferenceRollouts was damaged");
  const shown = await waitForValue("the quarantine on the QA console", async () => {
    const section = await quarantineSection();
    return showsDamage(section) && section;
  }).catch(quarantineSection);
  if (!showsDamage(shown)) problems.push(`the console shows: ${JSON.stringify(shown)}`);
  const logged = (await addon.consoleMessages()).map((message) => message.args.join(" "));
  if (!logged.some((line) => line.includes("Stored preferenceRollouts was damaged")))
    problems.push("nothing on the browser console");
  if (problems.length === 0) figures.quarantined += 1;
  tally.record("a damaged store value", problems);
  expect(problems).toEqual([]);
});
