/**
 * Privacy and scope, in real Firefox with every feature on (change notices, classify-client, telemetry
 * upload, an add-on rollout's XPI, a study, a rollout) and a cookie the browser holds for the server's host:
 * every request the add-on causes goes to the configured server's origin and carries no cookie, and every
 * event in the local event log and in the intake is one the event registry allows (method, object, value and
 * extra keys), nothing else.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { startRecipeServer, type RunningRecipeServer } from "../../server/recipeServer.js";
import { eventRecordOf } from "../../server/intakeStore.js";
import { loggedEventProblem } from "../../src/core/loggedEvents.js";
import { ADDON_ID, AddonUnderTest, prefsFor } from "../e2e/support/addonUnderTest.js";
import { buildTestAddon, installedAddon, uploadXpi } from "../e2e/support/testAddons.js";
import type { Firefox } from "../e2e/harness/index.js";
import { AreaTally } from "./support/areaFigures.js";

const ROLLED_OUT_ADDON = "privacy-rollout@recipe-client.test";

interface SeenRequest {
  url: string;
  method: string;
  cookie: string | null;
  /** The add-on whose principal triggered or loads the request ("" for Firefox itself). */
  addonId: string;
}

const tally = new AreaTally("privacy");
const figures = { requests: 0, elsewhere: 0, withCookies: 0, firefoxOwn: 0, events: 0, outsideRegistry: 0 };
let workDir: string;
let server: RunningRecipeServer;
let addon: AddonUnderTest;

/** Sets a cookie for the server's host, as any page on it (another port: cookies ignore ports) could. */
async function holdCookieFor(firefox: Firefox): Promise<void> {
  const cookiePage = createServer((_request, response) => {
    response.writeHead(200, { "Set-Cookie": "session=secret; Path=/", "Content-Type": "text/html" });
    response.end("<!doctype html><title>sets a cookie</title>");
  });
  await new Promise<void>((resolve) => cookiePage.listen(0, "127.0.0.1", resolve));
  try {
    await firefox.navigate(`http://127.0.0.1:${(cookiePage.address() as AddressInfo).port}/`);
  } finally {
    cookiePage.close();
  }
}

/** Records every HTTP request Firefox makes from now on: URL, method, Cookie header, and which add-on caused it. */
const WATCH_REQUESTS = `
  const seen = (Services.__privacyRequests = []);
  Services.__privacyObserver = (subject) => {
    const channel = subject.QueryInterface(Ci.nsIHttpChannel);
    let cookie = null;
    try { cookie = channel.getRequestHeader("Cookie"); } catch {}
    const info = channel.loadInfo;
    const addonId = info?.triggeringPrincipal?.addonId || info?.loadingPrincipal?.addonId || "";
    seen.push({ url: channel.URI.spec, method: channel.requestMethod, cookie, addonId });
  };
  Services.obs.addObserver(Services.__privacyObserver, "http-on-modify-request");`;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "privacy-"));
  server = await startRecipeServer({ dataDir: join(workDir, "server"), port: 0 });
  const details = await uploadXpi(server, await buildTestAddon(workDir, ROLLED_OUT_ADDON, "1.0"));
  const recipe = (
    name: string,
    action: "addon-rollout" | "preference-rollout" | "multi-preference-experiment" | "console-log",
    args: Record<string, unknown>,
    filter = "true",
  ) => server.store.create({ name, action, arguments: args, filter_expression: filter, capabilities: [] }, true);
  recipe("privacy add-on rollout", "addon-rollout", { slug: "privacy-addon-rollout", extensionApiId: details.id });
  recipe("privacy rollout", "preference-rollout", {
    slug: "privacy-rollout",
    preferences: [{ preferenceName: "reliability.privacy.rollout", value: 1 }],
  });
  recipe("privacy study", "multi-preference-experiment", {
    slug: "privacy-study",
    userFacingName: "Privacy study",
    userFacingDescription: "Enrolls, for its events",
    isEnrollmentPaused: false,
    branches: [
      {
        slug: "only",
        ratio: 1,
        preferences: {
          "reliability.privacy.study": {
            preferenceType: "string",
            preferenceBranchType: "user",
            preferenceValue: "on",
          },
        },
      },
    ],
  });
  // Reading normandy.country makes the client ask the server's classify-client endpoint.
  recipe("privacy classify", "console-log", { message: "classified" }, `normandy.country != "" || true`);
  await server.publish();

  addon = await AddonUnderTest.start(
    "reliability-privacy",
    { ...prefsFor(server, { notices: true }), "datareporting.healthreport.uploadEnabled": true },
    {
      beforeInstall: async (firefox) => {
        await holdCookieFor(firefox);
        await firefox.evalInChrome(WATCH_REQUESTS);
      },
    },
  );
});

beforeEach((context) => addon.firefox.keepLogOnFailure(context));

afterAll(async () => {
  tally.write(
    `${figures.requests} requests by the add-on, ${figures.requests - figures.elsewhere} to the configured origin, with cookies = ${figures.withCookies}; ` +
      `${figures.events} events logged or uploaded, outside the registry = ${figures.outsideRegistry} (Firefox's own requests, not checked: ${figures.firefoxOwn})`,
  );
  await addon?.dispose();
  await server?.close();
  rmSync(workDir, { recursive: true, force: true });
});

it("every request the add-on makes goes to the configured origin, without cookies; every event is in the registry", async () => {
  await addon.waitForRuns(1);
  // A publish: the change notice makes the client run again.
  server.store.create(
    {
      name: "privacy after notice",
      action: "console-log",
      arguments: { message: "after" },
      filter_expression: "true",
      capabilities: [],
    },
    true,
  );
  await server.publish();
  await addon.waitForRuns(2);
  await addon.runNow();
  await expect
    .poll(() => server.intake.clients().length, {
      timeout: 60_000,
      interval: 500,
      message: "no telemetry batch reached the intake",
    })
    .toBeGreaterThan(0);
  expect(await installedAddon(addon.firefox, ROLLED_OUT_ADDON)).toMatchObject({ version: "1.0" });
  const requests = await addon.firefox.evalInChrome<SeenRequest[]>(
    `Services.obs.removeObserver(Services.__privacyObserver, "http-on-modify-request");
     return Services.__privacyRequests;`,
  );

  // The add-on's own requests, and whatever reached the server (the XPI download is AddonManager's, on the add-on's behalf).
  const serverOrigin = new URL(server.url).origin;
  const byAddon = requests.filter(
    (request) => request.addonId === ADDON_ID || new URL(request.url).origin === serverOrigin,
  );
  figures.firefoxOwn = requests.length - byAddon.length;
  const firefoxOwn = requests
    .filter((request) => !byAddon.includes(request))
    .map((request) => new URL(request.url).origin);
  console.log(`privacy: Firefox's own requests went to ${[...new Set(firefoxOwn)].join(", ") || "nowhere"}`);
  figures.requests = byAddon.length;
  const kinds = {
    changeset: /\/changeset\?/,
    "x5u chain": /\/chains\/.+\.pem$/,
    "classify-client": /\/classify_client\/$/,
    "extension metadata": /\/extension\/\d+\/$/,
    XPI: /\/extensions\/\d+\.xpi$/,
    "change notices": /\/notices$/,
    intake: /\/intake\/v1\/batches$/,
  };
  for (const [kind, pattern] of Object.entries(kinds)) {
    const ofKind = byAddon.filter((request) => pattern.test(request.url));
    const problems: string[] = [];
    if (ofKind.length === 0) problems.push("never requested");
    const elsewhere = ofKind.filter((request) => new URL(request.url).origin !== serverOrigin);
    const withCookies = ofKind.filter((request) => request.cookie !== null);
    if (elsewhere.length > 0) problems.push(`to other origins: ${elsewhere.map((request) => request.url).join(", ")}`);
    if (withCookies.length > 0) problems.push(`with cookies: ${withCookies.map((request) => request.url).join(", ")}`);
    tally.record(`${kind} requests`, problems);
  }
  const unknown = byAddon.filter((request) => !Object.values(kinds).some((pattern) => pattern.test(request.url)));
  figures.elsewhere = byAddon.filter((request) => new URL(request.url).origin !== serverOrigin).length;
  figures.withCookies = byAddon.filter((request) => request.cookie !== null).length;
  tally.record(
    "no other requests",
    unknown.map((request) => `${request.method} ${request.url}`),
  );

  const { events } = await addon.state();
  const [client] = server.intake.clients();
  const uploaded = server.intake.events(client!.clientId).map(eventRecordOf);
  for (const [where, list] of [
    ["event log", events],
    ["intake", uploaded],
  ] as const) {
    const problems = list.map(loggedEventProblem).filter((problem): problem is string => problem !== null);
    figures.events += list.length;
    figures.outsideRegistry += problems.length;
    tally.record(`${where} (${list.length} events)`, list.length === 0 ? ["empty"] : problems);
  }
  expect(tally.failures).toEqual([]);
});
