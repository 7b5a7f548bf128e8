import { describe, expect, it } from "vitest";
import type { Classification } from "../../src/context/classifyClient.js";
import { ClientContext } from "../../src/context/ClientContext.js";
import { ClientIdentity, FIRST_RUN_PREF, USER_ID_PREF } from "../../src/context/ClientIdentity.js";
import { CONTEXT_ATTRIBUTE_NAMES } from "../../src/context/contextAttributes.js";
import type { EnrollmentSummaries } from "../../src/context/EnrollmentSummaries.js";
import { NO_ENROLLMENTS } from "../fakes/noEnrollments.js";
import { evaluateFilter, type Recipe } from "../../src/core/index.js";
import { FakeClientContextApi } from "../fakes/FakeClientContextApi.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CLIENT_CLOCK = new Date("2026-07-01T00:00:00Z");
const SERVER_ANSWER: Classification = { country: "US", requestTime: new Date("2026-05-01T12:00:00Z") };

function recipe(id: number, filter: string): Recipe {
  return {
    id,
    name: `recipe ${id}`,
    revision_id: "1",
    action: "console-log",
    arguments: { message: `hi ${id}` },
    filter_expression: filter,
  };
}

interface Options {
  classify?: () => Promise<Classification>;
  timeLimitMs?: number;
  enrollments?: EnrollmentSummaries;
}

/** A ClientContext over fakes, with counters for everything it can ask. */
function clientContext(options: Options = {}) {
  const api = new FakeClientContextApi();
  const prefs = new FakePrefsApi();
  const identity = new ClientIdentity(prefs);
  const warnings: string[] = [];
  const counts = { classify: 0 };
  const context = new ClientContext({
    api,
    identity,
    classify: () => {
      counts.classify += 1;
      return options.classify ? options.classify() : Promise.resolve(SERVER_ANSWER);
    },
    enrollments: options.enrollments ?? NO_ENROLLMENTS,
    warn: (message) => warnings.push(message),
    now: () => CLIENT_CLOCK,
    ...(options.timeLimitMs === undefined ? {} : { timeLimitMs: options.timeLimitMs }),
  });
  const evaluate = (filter: string, run = context.startRun(), id = 1) =>
    evaluateFilter(filter, run.forRecipe(recipe(id, filter)));
  return { api, prefs, identity, warnings, counts, context, evaluate };
}

function totalApiCalls(api: FakeClientContextApi): number {
  return [...api.calls.values()].reduce((sum, count) => sum + count, 0);
}

describe("the filter context (normandy / env)", () => {
  it("gives filters Firefox's values through normandy and its alias env", async () => {
    const { evaluate } = clientContext();
    expect(
      await evaluate(`normandy.version == "153.7.0esr" && env.channel == "esr" && normandy.locale == "en-US"`),
    ).toBe(true);
    expect(await evaluate(`normandy.os.isLinux && !normandy.os.isWindows && normandy.os.name == "Linux"`)).toBe(true);
    expect(await evaluate(`normandy.syncTotalDevices`)).toBe(3);
    expect(await evaluate(`normandy.formFactor`)).toBe("desktop");
    expect(await evaluate(`normandy.distribution == "default" && normandy.doNotTrack == false`)).toBe(true);
    expect(await evaluate(`normandy.isDefaultBrowser && normandy.searchEngine == "google-b-e"`)).toBe(true);
    expect(await evaluate(`normandy.appinfo.appBuildID`)).toBe("20261103151912");
  });

  it("shares one object between normandy and env, with only the recipe's id and arguments", async () => {
    const { context } = clientContext();
    const filterContext = context.startRun().forRecipe(recipe(7, "true"));
    expect(filterContext.env).toBe(filterContext.normandy);
    expect((filterContext.normandy as { recipe: unknown }).recipe).toEqual({ id: 7, arguments: { message: "hi 7" } });
  });

  it("computes nothing until a filter reads it, and only what it reads", async () => {
    const { api, counts, context, evaluate } = clientContext();
    const run = context.startRun();
    run.forRecipe(recipe(1, "true"));
    expect(await evaluate("true", run)).toBe(true);
    expect(totalApiCalls(api)).toBe(0);
    expect(counts.classify).toBe(0);

    expect(await evaluate(`normandy.country == "US"`, run)).toBe(true);
    expect(counts.classify).toBe(1);
    expect(totalApiCalls(api)).toBe(0); // not even Region: the server answered

    expect(await evaluate(`normandy.addons["recipe-client@normandy-qa.dev"].isActive`, run)).toBe(true);
    expect([...api.calls.keys()]).toEqual(["getAddons"]);
  });

  it("computes each attribute at most once per run, across recipes, and afresh in the next run", async () => {
    const { api, counts, context, evaluate } = clientContext();
    const run = context.startRun();
    // mozjexl reads both sides of || (no short-circuit); the second read is the same promise.
    expect(await evaluate(`normandy.version == "1" || normandy.version == "153.7.0esr"`, run, 1)).toBe(true);
    expect(await evaluate(`normandy.channel == "esr" && normandy.country == "US"`, run, 2)).toBe(true);
    expect(await evaluate(`normandy.country != "FR" && normandy.request_time != null`, run, 3)).toBe(true);
    expect(api.callsTo("getAppFacts")).toBe(1);
    expect(counts.classify).toBe(1);

    await evaluate(`normandy.version`, context.startRun());
    expect(api.callsTo("getAppFacts")).toBe(2);
  });

  it("gives dates as Dates: the server's request time and the add-ons' install dates", async () => {
    const { evaluate } = clientContext();
    expect(await evaluate(`normandy.request_time`)).toEqual(SERVER_ANSWER.requestTime);
    expect(await evaluate(`normandy.addons["recipe-client@normandy-qa.dev"].installDate`)).toEqual(
      new Date("2026-01-02T03:04:05.000Z"),
    );
  });
});

describe("classify-client", () => {
  it("falls back to Firefox's home region and the client clock when the server cannot classify", async () => {
    const { api, warnings, counts, context, evaluate } = clientContext({
      classify: () => Promise.reject(new Error("HTTP 404")),
    });
    const run = context.startRun();
    expect(await evaluate(`normandy.country`, run)).toBe("DE");
    expect(await evaluate(`normandy.request_time`, run)).toEqual(CLIENT_CLOCK);
    expect(counts.classify).toBe(1);
    expect(api.callsTo("getHomeRegion")).toBe(1);
    expect(warnings).toEqual([expect.stringMatching(/Cannot classify this client \(HTTP 404\)/)]);
  });

  it("falls back to the home region when the server does not know the country", async () => {
    const { evaluate } = clientContext({
      classify: async () => ({ country: null, requestTime: SERVER_ANSWER.requestTime }),
    });
    expect(await evaluate(`normandy.country`)).toBe("DE");
  });
});

describe("failing and slow attributes", () => {
  it("a failing attribute fails the filters that read it, naming it, and no others", async () => {
    const { api, warnings, context, evaluate } = clientContext();
    api.failing.set("getDefaultSearchEngine", "Cannot read the default search engine: NS_ERROR_NOT_AVAILABLE");
    const run = context.startRun();
    await expect(evaluate(`normandy.searchEngine == "google"`, run)).rejects.toThrow(
      "context attribute searchEngine failed: Cannot read the default search engine: NS_ERROR_NOT_AVAILABLE",
    );
    expect(await evaluate(`normandy.channel == "esr"`, run)).toBe(true);
    expect(warnings).toHaveLength(1);
  });

  it("an attribute without a value within the time limit fails the filter; it is not asked again in that run", async () => {
    const { api, context, evaluate } = clientContext({ timeLimitMs: 30 });
    api.hanging.add("isDefaultBrowser");
    const run = context.startRun();
    const started = Date.now();
    await expect(evaluate(`normandy.isDefaultBrowser`, run, 1)).rejects.toThrow(
      "context attribute isDefaultBrowser failed: no value within 30 ms",
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(evaluate(`normandy.isDefaultBrowser || true`, run, 2)).rejects.toThrow(/isDefaultBrowser/);
    expect(api.callsTo("isDefaultBrowser")).toBe(1);
    expect(await evaluate(`normandy.version == "153.7.0esr"`, run, 3)).toBe(true);
  });
});

describe("identity: userId and isFirstRun", () => {
  it("generates a v4 UUID once, stores it, and keeps it across runs and restarts", async () => {
    const { prefs, context, evaluate } = clientContext();
    const first = await evaluate(`normandy.userId`);
    expect(first).toMatch(UUID_V4);
    expect(await prefs.getPref(USER_ID_PREF, "user")).toBe(first);
    expect(await evaluate(`normandy.randomizationId`, context.startRun())).toBe(first);

    const restarted = new ClientIdentity(prefs);
    expect(await restarted.userId()).toBe(first);
  });

  it("keeps an id QA set by hand", async () => {
    const { prefs, evaluate } = clientContext();
    await prefs.setPref(USER_ID_PREF, "qa-pinned-id", "user");
    expect(await evaluate(`normandy.userId == "qa-pinned-id"`)).toBe(true);
  });

  it("hands out a single id to concurrent first callers", async () => {
    const prefs = new FakePrefsApi();
    let generated = 0;
    const identity = new ClientIdentity(prefs, () => `id-${++generated}`);
    const ids = await Promise.all([identity.userId(), identity.userId(), identity.userId()]);
    expect(ids).toEqual(["id-1", "id-1", "id-1"]);
    expect(generated).toBe(1);
  });

  it("isFirstRun is true until the first run is marked complete", async () => {
    const { prefs, identity, context, evaluate } = clientContext();
    expect(await evaluate(`normandy.isFirstRun`)).toBe(true);
    await identity.markFirstRunComplete();
    expect(await prefs.getPref(FIRST_RUN_PREF, "user")).toBe(false);
    expect(await evaluate(`normandy.isFirstRun`, context.startRun())).toBe(false);
  });
});

describe("enrollments", () => {
  it("are empty until the stores provide them", async () => {
    const { evaluate } = clientContext();
    expect(await evaluate(`normandy.experiments`)).toEqual({ all: [], active: [], expired: [] });
    expect(await evaluate(`normandy.studies`)).toEqual({ pref: {}, addon: {} });
    expect(await evaluate(`normandy.rollouts`)).toEqual({ pref: {}, addon: {} });
  });

  it("come from the injected stores", async () => {
    const enrollments: EnrollmentSummaries = {
      ...NO_ENROLLMENTS,
      experiments: async () => ({ all: ["a", "b"], active: ["a"], expired: ["b"] }),
    };
    const { evaluate } = clientContext({ enrollments });
    expect(await evaluate(`"a" in normandy.experiments.active && !("b" in normandy.experiments.active)`)).toBe(true);
  });
});

describe("telemetry, liveTelemetry and attribution", () => {
  const PROFILE_AGE_FILTER = `(normandy.telemetry.main.environment.profile.creationDate * 86400000)|date < "2020-01-01"|date`;

  it("telemetry: the most recent archived ping of each type; the first listed wins a tie", async () => {
    const { api, evaluate } = clientContext();
    api.archivePing("main", "main-old", "2026-06-01T00:00:00.000Z", 17_000);
    const latestMain = api.archivePing("main", "main-new", "2026-06-20T00:00:00.000Z", 17_500);
    api.archivePing("main", "main-older", "2026-05-01T00:00:00.000Z", 16_000);
    const firstEvent = api.archivePing("event", "event-1", "2026-06-05T00:00:00.000Z");
    api.archivePing("event", "event-2", "2026-06-05T00:00:00.000Z");
    expect(await evaluate(`normandy.telemetry`)).toEqual({ main: latestMain, event: firstEvent });
    expect(api.callsTo("getArchivedPingList")).toBe(1);
    expect(api.callsTo("getArchivedPing")).toBe(2); // only the pings it gives
  });

  it("telemetry: profile age as real recipes wrote it, and undefined for a type Firefox does not archive", async () => {
    const { api, context, evaluate } = clientContext();
    api.archivePing("main", "m", "2026-06-20T00:00:00.000Z", 17_000); // 2016-07-19
    expect(await evaluate(PROFILE_AGE_FILTER)).toBe(true);
    expect(await evaluate(`env.telemetry.main.environment.profile.creationDate <= 18500`)).toBe(true);
    expect(await evaluate(`normandy.telemetry.crash`)).toBeUndefined();
    expect(await evaluate(`normandy.telemetry.crash.payload`)).toBeUndefined();

    api.archive.length = 0;
    api.archivePing("main", "young", "2026-06-20T00:00:00.000Z", 20_000); // 2024-10-04
    expect(await evaluate(PROFILE_AGE_FILTER, context.startRun())).toBe(false);
    api.archive.length = 0;
    expect(await evaluate(PROFILE_AGE_FILTER, context.startRun())).toBe(false); // an empty archive: no main ping
  });

  it("liveTelemetry: the current main ping; any other ping type fails the filter, as in Normandy", async () => {
    const { api, context, evaluate } = clientContext();
    expect(await evaluate(`normandy.liveTelemetry.main.environment.settings.blocklistEnabled`)).toBe(true);
    expect(await evaluate(`normandy.liveTelemetry|keys`)).toEqual(["main"]);
    await expect(evaluate(`normandy.liveTelemetry.event.payload`)).rejects.toThrow(
      "Live telemetry only includes the main ping, not the event ping",
    );

    api.currentMainPing!.environment!.settings.blocklistEnabled = false;
    expect(
      await evaluate(`normandy.liveTelemetry.main.environment.settings.blocklistEnabled`, context.startRun()),
    ).toBe(false);
  });

  it("liveTelemetry: the environment at once; the whole ping (slow: its payload) only when a filter reads beyond it, once", async () => {
    const { api, context, evaluate } = clientContext();
    api.currentMainPing!.payload = { info: { reason: "gather-payload" } };
    const run = context.startRun();
    expect(await evaluate(`normandy.liveTelemetry.main.environment.profile.creationDate`, run, 1)).toBe(18_000);
    expect(api.callsTo("getCurrentEnvironment")).toBe(1);
    expect(api.callsTo("getCurrentMainPing")).toBe(0);

    expect(await evaluate(`normandy.liveTelemetry.main.payload.info.reason == "gather-payload"`, run, 2)).toBe(true);
    expect(
      await evaluate(`normandy.liveTelemetry.main.type == "main" && normandy.liveTelemetry.main.id == "live"`, run, 3),
    ).toBe(true);
    expect(await evaluate(`normandy.liveTelemetry.main.unknownMember`, run, 4)).toBeUndefined();
    // Firefox's member order, environment last.
    expect(await evaluate(`normandy.liveTelemetry.main|keys`, run, 5)).toEqual([
      ...["type", "id", "creationDate", "version", "application", "payload", "clientId", "profileGroupId"],
      "environment",
    ]);
    expect(api.callsTo("getCurrentMainPing")).toBe(1);
    expect(api.callsTo("getCurrentEnvironment")).toBe(1);
  });

  it("liveTelemetry: main is null while Firefox records no telemetry; a slow whole ping fails only the filters reading it", async () => {
    const { api, context, evaluate, warnings } = clientContext({ timeLimitMs: 30 });
    api.hanging.add("getCurrentMainPing");
    const run = context.startRun();
    await expect(evaluate(`normandy.liveTelemetry.main.payload.info`, run, 1)).rejects.toThrow(
      "context attribute liveTelemetry failed: no value within 30 ms",
    );
    expect(await evaluate(`normandy.liveTelemetry.main.environment.system.memoryMB`, run, 2)).toBe(8192);
    expect(warnings).toEqual(["context attribute liveTelemetry failed: no value within 30 ms"]);

    api.currentMainPing = null;
    expect(await evaluate(`normandy.liveTelemetry.main == null`, context.startRun())).toBe(true);
  });

  it("attribution: Firefox's attribution data, an empty object where Firefox has none", async () => {
    const { api, context, evaluate } = clientContext();
    expect(await evaluate(`normandy.attribution`)).toEqual({});
    expect(await evaluate(`normandy.attribution.source == "google"`)).toBe(false);

    api.attribution = { source: "google", medium: "paidsearch", campaign: "(not set)", msstoresignedin: true };
    expect(
      await evaluate(
        `normandy.attribution.source == "google" && normandy.attribution.msstoresignedin`,
        context.startRun(),
      ),
    ).toBe(true);
  });

  it("each is computed only when a filter reads it, once per run", async () => {
    const { api, context, evaluate } = clientContext();
    api.archivePing("main", "m", "2026-06-20T00:00:00.000Z");
    const run = context.startRun();
    await evaluate(`normandy.version != null && normandy.addons|keys|length > 0`, run);
    for (const name of ["getArchivedPingList", "getArchivedPing", "getCurrentMainPing", "getAttribution"] as const)
      expect(api.callsTo(name)).toBe(0);
    for (let id = 1; id <= 3; id++) {
      await evaluate(
        `normandy.telemetry.main.id && normandy.liveTelemetry.main.id && normandy.attribution.source == null`,
        run,
        id,
      );
    }
    for (const name of ["getArchivedPingList", "getArchivedPing", "getCurrentMainPing", "getAttribution"] as const)
      expect(api.callsTo(name)).toBe(1);
  });

  it("a telemetry archive slower than the time limit fails the filters that read it, and no others", async () => {
    const { api, context, evaluate } = clientContext({ timeLimitMs: 30 });
    api.hanging.add("getArchivedPingList");
    const run = context.startRun();
    await expect(evaluate(PROFILE_AGE_FILTER, run)).rejects.toThrow(
      "context attribute telemetry failed: no value within 30 ms",
    );
    expect(await evaluate(`normandy.liveTelemetry.main != null`, run)).toBe(true);
  });
});

describe("snapshot (the QA console's view)", () => {
  it("has every attribute, as JSON, and the error of each one that failed", async () => {
    const { api, context } = clientContext({ timeLimitMs: 30 });
    api.hanging.add("getPlugins");
    const snapshot = await context.snapshot();
    expect(Object.keys(snapshot).sort()).toEqual([...CONTEXT_ATTRIBUTE_NAMES].sort());
    expect(snapshot.version).toEqual({ value: "153.7.0esr" });
    expect(snapshot.request_time).toEqual({ value: "2026-05-01T12:00:00.000Z" });
    expect(snapshot.plugins).toEqual({ error: "context attribute plugins failed: no value within 30 ms" });
    // The whole ping, promises awaited: what the QA console shows.
    expect(snapshot.liveTelemetry).toEqual({ value: { main: api.currentMainPing } });
    expect(snapshot.telemetry).toEqual({ value: {} });
    expect(snapshot.attribution).toEqual({ value: {} });
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });
});
