/**
 * Fault injection against the real add-on in Firefox: for each way the server (or the network) can fail,
 * a round publishes a fresh preference rollout, a fresh preference study and a newer version of a rolled-out
 * add-on, turns the fault on and presses "Run now". The run must end in the delivery code's uptake status
 * (network_error, server_error, sign_error; a tampered recipe alone is that recipe's sign_error) in the run
 * report and in Glean, with no pref changed and the add-on left at its version; then, the fault cleared,
 * the next healthy run must succeed and apply all three. "lost changes" counts anything a faulted run changed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { ServerFault } from "../../server/faults.js";
import { startRecipeServer, type RunningRecipeServer } from "../../server/recipeServer.js";
import { matchingRecipe as recipe } from "../e2e/support/matchingRecipe.js";
import { AddonUnderTest, prefsFor } from "../e2e/support/addonUnderTest.js";
import { buildTestAddon, installedAddon, uploadXpi } from "../e2e/support/testAddons.js";
import { AreaTally } from "./support/areaFigures.js";

const ROLLED_OUT_ADDON = "faults-rollout@recipe-client.test";
/** The client's time limit in this test, so a slow server is given up on quickly. */
const FETCH_TIMEOUT_MS = 1_500;

/** How a round makes the server (or the network) fail, and the runner status that must come of it. */
interface FaultCase {
  name: string;
  status: "network_error" | "server_error" | "sign_error" | "success";
  /** Only the round's last recipe (the rollout) is refused; the others apply. */
  refusesOneRecipe?: boolean;
  /** Turns the fault on (after the round's recipes are published); returns what turns it off. */
  start(): Promise<() => Promise<void>>;
}

const tally = new AreaTally("faults");
let lostChanges = 0;
let workDir: string;
let server: RunningRecipeServer;
let addon: AddonUnderTest;
let decoy: Server;
/** The collection published before the first run: what the replay case serves again. */
let firstSnapshot: number;
const decoyRequests: string[] = [];

const serverFault = (fault: ServerFault) => async () => {
  server.faults.set(fault);
  return async () => server.faults.clear();
};
const setPref = (name: string, value: string) =>
  addon.firefox.evalInChrome(`Services.prefs.setStringPref(args[0], args[1]);`, name, value);

const CASES: FaultCase[] = [
  {
    name: "connection refused (nothing listens)",
    status: "network_error",
    start: async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise((resolve) => closed.close(resolve));
      await setPref("extensions.recipeclient.server_url", `http://127.0.0.1:${port}/v1`);
      return async () => void (await setPref("extensions.recipeclient.server_url", server.config.remoteSettingsUrl));
    },
  },
  {
    name: "connection dropped without an answer",
    status: "network_error",
    start: serverFault({ kind: "drop-connection" }),
  },
  { name: "connection reset mid-body", status: "network_error", start: serverFault({ kind: "reset-mid-body" }) },
  { name: "HTTP 500", status: "server_error", start: serverFault({ kind: "http-status", status: 500 }) },
  {
    name: "HTTP 503 without Retry-After",
    status: "server_error",
    start: serverFault({ kind: "http-status", status: 503 }),
  },
  {
    name: "HTTP 503 with Retry-After",
    status: "server_error",
    start: serverFault({ kind: "http-status", status: 503, retryAfterSeconds: 2 }),
  },
  {
    name: "HTTP 429 with Retry-After",
    status: "server_error",
    start: serverFault({ kind: "http-status", status: 429, retryAfterSeconds: 2 }),
  },
  {
    name: "an answer slower than the client's time limit",
    status: "network_error",
    start: serverFault({ kind: "slow-response", delayMs: FETCH_TIMEOUT_MS * 3 }),
  },
  { name: "truncated JSON", status: "server_error", start: serverFault({ kind: "truncated-body" }) },
  { name: "malformed JSON", status: "server_error", start: serverFault({ kind: "malformed-json" }) },
  {
    name: "a body past the client's size limit",
    status: "server_error",
    start: serverFault({ kind: "oversized-body", bytes: 11 * 1024 * 1024 }),
  },
  { name: "a wrong content type", status: "server_error", start: serverFault({ kind: "wrong-content-type" }) },
  {
    name: "a changeset replayed from the past",
    status: "server_error",
    start: async () => serverFault({ kind: "replay", timestamp: firstSnapshot })(),
  },
  {
    name: "a tampered record (that recipe alone is refused)",
    status: "success",
    refusesOneRecipe: true,
    start: async () =>
      serverFault({ kind: "tamper-recipe", recipeId: Math.max(...server.store.list().map((recipe) => recipe.id)) })(),
  },
  { name: "an x5u whose chain does not verify", status: "sign_error", start: serverFault({ kind: "wrong-x5u" }) },
  {
    name: "an x5u on another origin (never fetched)",
    status: "sign_error",
    start: async () =>
      serverFault({ kind: "foreign-x5u", origin: `http://localhost:${(decoy.address() as AddressInfo).port}` })(),
  },
];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "faults-"));
  decoy = createServer((request, response) => {
    decoyRequests.push(request.url ?? "");
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => decoy.listen(0, "127.0.0.1", resolve));
  server = await startRecipeServer({ dataDir: join(workDir, "server"), port: 0 });
  firstSnapshot = (await server.publish()).timestamp;
  addon = await AddonUnderTest.start("reliability-faults", {
    ...prefsFor(server),
    "extensions.recipeclient.fetch_timeout_ms": FETCH_TIMEOUT_MS,
  });
  await addon.waitForRuns(1);
});

beforeEach((context) => addon.firefox.keepLogOnFailure(context));

afterAll(async () => {
  tally.write(`${tally.tried} tried, ${tally.passed} passed, lost changes = ${lostChanges}`);
  await addon?.dispose();
  await server?.close();
  decoy?.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** Publishes round `round`'s recipes: a rollout and a study of their own prefs, and version `round + 1` of the add-on. */
async function publishRound(round: number): Promise<{ rolloutPref: string; studyPref: string; addonVersion: string }> {
  const rolloutPref = `reliability.faults.rollout.${round}`;
  const studyPref = `reliability.faults.study.${round}`;
  const addonVersion = `${round + 1}.0`;
  const details = await uploadXpi(server, await buildTestAddon(workDir, ROLLED_OUT_ADDON, addonVersion));
  const existing = server.store.list().find((stored) => stored.action === "addon-rollout");
  const addonRollout = recipe("faults add-on rollout", "addon-rollout", {
    slug: "faults-addon-rollout",
    extensionApiId: details.id,
  });
  if (existing) server.store.update(existing.id, addonRollout);
  else server.store.create(addonRollout, true);
  server.store.create(
    recipe(`faults study ${round}`, "multi-preference-experiment", {
      slug: `faults-study-${round}`,
      userFacingName: "Faults study",
      userFacingDescription: "Set by the healthy run only",
      isEnrollmentPaused: false,
      branches: [
        {
          slug: "only",
          ratio: 1,
          preferences: {
            [studyPref]: { preferenceType: "string", preferenceBranchType: "user", preferenceValue: "on" },
          },
        },
      ],
    }),
    true,
  );
  // Last, so the tampered-record case tampers with it.
  server.store.create(
    recipe(`faults rollout ${round}`, "preference-rollout", {
      slug: `faults-rollout-${round}`,
      preferences: [{ preferenceName: rolloutPref, value: round }],
    }),
    true,
  );
  await server.publish();
  return { rolloutPref, studyPref, addonVersion };
}

const prefExists = (name: string) =>
  addon.firefox.evalInChrome<boolean>(`return Services.prefs.getPrefType(args[0]) !== 0;`, name);
const runnerUptake = async () =>
  (await addon.gleanUptake()).filter((event) => event.source === "normandy/runner").map((event) => event.value);

it(`${CASES.length} faults each end in their uptake status with nothing changed; the next healthy run succeeds`, async () => {
  for (const [round, fault] of CASES.entries()) {
    const problems: string[] = [];
    const before = await installedAddon(addon.firefox, ROLLED_OUT_ADDON);
    const { rolloutPref, studyPref, addonVersion } = await publishRound(round);
    const prefs = [rolloutPref, studyPref];
    const stop = await fault.start();
    let faulted;
    try {
      faulted = await addon.runNow();
    } finally {
      await stop();
    }
    if (faulted.runnerStatus !== fault.status)
      problems.push(`ended ${faulted.runnerStatus} (${faulted.error ?? "no error"}), not ${fault.status}`);
    if ((await runnerUptake()).at(-1) !== fault.status)
      problems.push(`Glean's last runner uptake is ${(await runnerUptake()).at(-1)}`);
    if (fault.status === "success" && faulted.recipes.at(-1)?.status !== "sign_error")
      problems.push("the tampered recipe was not refused");
    // What the faulted run must have left alone: everything, or only the refused recipe's pref.
    const untouchable = fault.refusesOneRecipe ? [rolloutPref] : prefs;
    const changed = [
      ...(await Promise.all(untouchable.map(async (name) => ((await prefExists(name)) ? `pref ${name}` : null)))),
      !fault.refusesOneRecipe &&
      JSON.stringify(await installedAddon(addon.firefox, ROLLED_OUT_ADDON)) !== JSON.stringify(before)
        ? "the add-on"
        : null,
    ].filter((change) => change !== null);
    lostChanges += changed.length;
    if (changed.length > 0) problems.push(`the faulted run changed ${changed.join(", ")}`);

    const healthy = await addon.runNow();
    if (healthy.runnerStatus !== "success" || healthy.recipes.some((recipe) => recipe.status !== "success")) {
      problems.push(
        `the next healthy run: ${healthy.runnerStatus}, ${JSON.stringify(healthy.recipes.map((recipe) => recipe.status))}`,
      );
    }
    for (const name of prefs) if (!(await prefExists(name))) problems.push(`the healthy run did not set ${name}`);
    if ((await installedAddon(addon.firefox, ROLLED_OUT_ADDON))?.version !== addonVersion)
      problems.push(`the healthy run did not install add-on ${addonVersion}`);
    tally.record(fault.name, problems);
  }
  expect(decoyRequests, "requests to the foreign x5u origin").toEqual([]);
  expect(tally.failures).toEqual([]);
});

it("a catastrophic regular expression in a filter is stopped: that recipe is content_error, the run goes on", async () => {
  const recipe = (name: string, filter: string) =>
    server.store.create(
      { name, action: "console-log", arguments: { message: name }, filter_expression: filter, capabilities: [] },
      true,
    );
  const hostile = recipe("faults: hostile pattern", `"${"a".repeat(40)}!"|regExpMatch("^(a+)+$")`);
  const after = recipe("faults: after the hostile pattern", `"Firefox/153"|regExpMatch("^Firefox/([0-9]+)")`);
  await server.publish();

  const run = await addon.runNow();

  const problems: string[] = [];
  const byId = new Map(run.recipes.map((entry) => [entry.id, entry]));
  if (byId.get(hostile.id)?.status !== "content_error" || !byId.get(hostile.id)?.detail?.includes("gave up"))
    problems.push(`hostile: ${JSON.stringify(byId.get(hostile.id))}`);
  if (byId.get(after.id)?.status !== "success") problems.push(`next recipe: ${JSON.stringify(byId.get(after.id))}`);
  if (run.durationMs > 5_000) problems.push(`the run took ${run.durationMs} ms`);
  tally.record("a catastrophic regular expression in a filter", problems);
  expect(problems).toEqual([]);
});
