import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { InitSqlJsStatic } from "sql.js";
import { describe, expect, it } from "vitest";
import { DATABASE_FILE_NAME } from "../../server/database.js";
import { SCHEMA_MIGRATIONS } from "../../server/schemaMigrations.js";
import type { IntakeBatch } from "../../src/core/intakeBatch.js";
import { eventRecordOf, type ReceivedEvent } from "../../server/intakeStore.js";
import { fetchJson, forcedStudyEvents, intakeBatch, postJson, useTestServers } from "./serverHarness.js";
const ENROLLMENT_ID = "5b1c0e9a-7d2f-4c3e-9a8b-1f2e3d4c5b6a";

const CLIENT = "6f1b3c2a-1d7e-4a55-9c3e-0b8d2e4f6a71";

function batch(overrides: Partial<IntakeBatch> = {}): IntakeBatch {
  return {
    ...intakeBatch(CLIENT, [
      [1200, "uptake.remotecontent.result", "uptake", "normandy", "success", { source: "normandy/runner" }],
      [
        1300,
        "normandy",
        "enroll",
        "preference_study",
        "my-study",
        { branch: "treatment", experimentType: "exp", enrollmentId: ENROLLMENT_ID },
      ],
      [
        1400,
        "normandy",
        "unenroll",
        "preference_study",
        "my-study",
        { reason: "recipe-not-seen", didResetValue: "true", enrollmentId: ENROLLMENT_ID },
      ],
    ]),
    ...overrides,
  };
}

/** The text of each body row's cells of the page's table `id`, tags dropped and white space collapsed. */
function tableRows(page: string, id: string): string[][] {
  const table = page.slice(page.indexOf(`id="${id}"`), page.indexOf("</table>", page.indexOf(`id="${id}"`)));
  return [...table.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].slice(1).map(([row]) =>
    [...row!.matchAll(/<td>(.*?)<\/td>/gs)].map(([, cell]) =>
      cell!
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    ),
  );
}

interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

/** The admin API's events of one client: the intake's stored events, as JSON. */
interface EventsBody {
  clientId: string;
  events: ReceivedEvent[];
}

describe("telemetry intake", () => {
  const servers = useTestServers();

  it("stores a batch and serves the client's events newest first, filterable by method and object", async () => {
    const server = await servers.start();

    const reply = await postJson(server.config.intakeUrl, batch());

    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({ batchId: "b-1", events: 3, duplicate: false });
    const all = await fetchJson<EventsBody>(`${server.url}/admin/api/clients/${CLIENT}/events`);
    expect(all.body.events.map(eventRecordOf)).toEqual([...batch().events].reverse());
    expect(all.body.events.every((event) => event.sessionId === batch().sessionId)).toBe(true);
    const unenrolls = await fetchJson<EventsBody>(`${server.url}/admin/api/clients/${CLIENT}/events?method=unenroll`);
    expect(unenrolls.body.events.map(eventRecordOf)).toEqual([batch().events[2]]);
    const studies = await fetchJson<EventsBody>(
      `${server.url}/admin/api/clients/${CLIENT}/events?object=preference_study&method=enroll`,
    );
    expect(studies.body.events.map(eventRecordOf)).toEqual([batch().events[1]]);
    expect(server.intake.events(CLIENT, { object: "normandy" }).map((event) => event.value)).toEqual(["success"]);
  });

  it("lists clients with their latest version and locale, and counts their events", async () => {
    const server = await servers.start();
    await postJson(server.config.intakeUrl, batch());
    await postJson(
      server.config.intakeUrl,
      batch({ batchId: "b-2", addonVersion: "0.2.0", locale: "de", events: [batch().events[0]!] }),
    );
    await postJson(server.config.intakeUrl, batch({ batchId: "b-3", clientId: "other-client" }));

    const reply = await fetchJson<{ clients: unknown[] }>(`${server.url}/admin/api/clients`);

    expect(reply.body.clients).toEqual([
      expect.objectContaining({ clientId: "other-client", eventCount: 3 }),
      expect.objectContaining({
        clientId: CLIENT,
        addonVersion: "0.2.0",
        locale: "de",
        eventCount: 4,
        lastSessionId: batch().sessionId,
      }),
    ]);
  });

  it("stores a retried batch once", async () => {
    const server = await servers.start();
    await postJson(server.config.intakeUrl, batch());

    const again = await postJson(server.config.intakeUrl, batch());

    expect(again.status).toBe(200);
    expect(again.body).toEqual({ batchId: "b-1", events: 3, duplicate: true });
    expect(server.intake.events(CLIENT)).toHaveLength(3);
  });

  it("keeps what it received across a restart", async () => {
    const dataDir = await servers.newDataDir();
    const first = await servers.start({ dataDir });
    await postJson(first.config.intakeUrl, batch());
    await first.close();

    const second = await servers.start({ dataDir });

    expect(second.intake.events(CLIENT).map(({ timestamp }) => timestamp)).toEqual([1400, 1300, 1200]);
  });

  it("a data folder from before the intake gains its tables and keeps its recipes", async () => {
    const dataDir = await servers.newDataDir();
    const SQL = await (createRequire(import.meta.url)("sql.js") as InitSqlJsStatic)();
    const before = new SQL.Database();
    before.exec(SCHEMA_MIGRATIONS[0]!);
    before.run(
      `INSERT INTO recipes (name, action, arguments, filter_expression, capabilities, enabled, revision_id, last_modified)
       VALUES ('kept', 'console-log', '{"message":"hi"}', 'true', '[]', 0, 3, 0)`,
    );
    before.run("PRAGMA user_version = 1");
    writeFileSync(join(dataDir, DATABASE_FILE_NAME), before.export());
    before.close();

    const server = await servers.start({ dataDir });

    expect(server.store.list()).toEqual([expect.objectContaining({ name: "kept", revision_id: 3 })]);
    expect((await postJson(server.config.intakeUrl, batch())).status).toBe(201);
    expect(server.intake.events(CLIENT)).toHaveLength(3);
  });

  const invalid: [what: string, body: unknown, field: string][] = [
    ["a body that is not an object", [1, 2], "(body)"],
    ["an unknown field", { ...batch(), url: "https://example.com/" }, "url"],
    ["a missing client id", { ...batch(), clientId: undefined }, "clientId"],
    ["a client id with a slash", batch({ clientId: "a/b" }), "clientId"],
    ["an empty locale", batch({ locale: "" }), "locale"],
    ["no events", batch({ events: [] }), "events"],
    ["501 events", batch({ events: Array.from({ length: 501 }, () => batch().events[0]!) }), "events"],
    ["an event of five fields", { ...batch(), events: [[1, "normandy", "enroll", "addon_study", "s"]] }, "events[0]"],
    [
      "a fractional timestamp",
      { ...batch(), events: [[1.5, "normandy", "enroll", "addon_study", "s", null]] },
      "events[0][0]",
    ],
    [
      "an empty method",
      { ...batch(), events: [batch().events[0], [1, "normandy", "", "addon_study", "s", null]] },
      "events[1][2]",
    ],
    [
      "a null extra value",
      { ...batch(), events: [[1, "normandy", "unenroll", "addon_study", "s", { reason: null }]] },
      "events[0][5].reason",
    ],
    [
      "extras that are a list",
      { ...batch(), events: [[1, "normandy", "unenroll", "addon_study", "s", ["x"]]] },
      "events[0][5]",
    ],
    // Well-formed, but not events the add-on's registries allow.
    [
      "a Normandy event outside the registry",
      { ...batch(), events: [[1, "normandy", "exfiltrate", "history", "s", null]] },
      "events[0]",
    ],
    [
      "an uptake event with a made-up status",
      {
        ...batch(),
        events: [[1, "uptake.remotecontent.result", "uptake", "normandy", "fine", { source: "normandy/runner" }]],
      },
      "events[0]",
    ],
    [
      "an uptake event carrying a URL",
      {
        ...batch(),
        events: [
          [
            1,
            "uptake.remotecontent.result",
            "uptake",
            "normandy",
            "success",
            { source: "normandy/runner", url: "https://example.com/" },
          ],
        ],
      },
      "events[0]",
    ],
    [
      "an unknown category",
      { ...batch(), events: [batch().events[0], [1, "browsing", "visit", "page", "https://example.com/", null]] },
      "events[1]",
    ],
  ];

  it.each(invalid)("refuses %s with a 400 naming the field", async (_what, body, field) => {
    const server = await servers.start();

    const reply = await postJson<ErrorBody>(server.config.intakeUrl, body);

    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: "validation_error", field });
    expect(reply.body.message.startsWith(`${field}: `)).toBe(true);
    expect(server.intake.clients()).toEqual([]);
  });

  it("accepts batches from the add-on's origin with CORS, and refuses them from web pages", async () => {
    const server = await servers.start();
    const post = (origin: string, batchId: string) =>
      fetch(server.config.intakeUrl, {
        method: "POST",
        headers: { Origin: origin, "Content-Type": "application/json" },
        body: JSON.stringify(batch({ batchId })),
      });

    const fromAddon = await post("moz-extension://4d6e3b8a-6f1c-4c55-9a7e-2f0b8e1d5c21", "b-1");
    expect(fromAddon.status).toBe(201);
    expect(fromAddon.headers.get("access-control-allow-origin")).toBe("*");
    expect((await post("https://example.com", "b-2")).status).toBe(403);
    expect(server.intake.events(CLIENT)).toHaveLength(3);
  });

  it("answers 404 for a client it never heard from", async () => {
    const server = await servers.start();
    const reply = await fetchJson<ErrorBody>(`${server.url}/admin/api/clients/nobody/events`);
    expect(reply.status).toBe(404);
    expect(reply.body.message).toBe("no telemetry from client nobody");
    expect((await fetch(`${server.url}/clients/nobody`)).status).toBe(404);
  });

  it("links each client from the start page to a page of its events, escaping everything", async () => {
    const server = await servers.start();
    const hostile = "<script>alert('x')</script>";
    await postJson(
      server.config.intakeUrl,
      batch({ events: [[5, "normandy", "enrollFailed", "addon_study", hostile, { detail: hostile }]] }),
    );

    const start = await (await fetch(`${server.url}/`)).text();
    expect(start).toContain(`<a href="/clients/${CLIENT}"><code>${CLIENT}</code></a>`);
    const response = await fetch(`${server.url}/clients/${CLIENT}?method=enrollFailed`);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const page = await response.text();
    expect(page).toMatch(/^<!DOCTYPE html>\s*<html lang="en">/);
    expect(page).not.toContain("<script>");
    expect(page).toContain("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;");
    expect(page).toContain('<option value="enrollFailed" selected>enrollFailed</option>');
    const filteredOut = await (await fetch(`${server.url}/clients/${CLIENT}?method=enroll`)).text();
    expect(filteredOut).toContain("No events match.");
  });

  it("shows the latest uptake status per source, and offers the methods and objects seen as filters", async () => {
    const server = await servers.start();
    await postJson(server.config.intakeUrl, batch());
    await postJson(
      server.config.intakeUrl,
      batch({
        batchId: "b-2",
        events: [
          [2000, "uptake.remotecontent.result", "uptake", "normandy", "server_error", { source: "normandy/runner" }],
          [2001, "uptake.remotecontent.result", "uptake", "normandy", "success", { source: "normandy/recipe/3" }],
        ],
      }),
    );

    const page = await (await fetch(`${server.url}/clients/${CLIENT}?object=preference_study`)).text();
    const uptake = page.slice(page.indexOf('id="uptake-heading"'), page.indexOf('id="events-heading"'));
    const rows = [...uptake.matchAll(/<td><code>([^<]+)<\/code><\/td>\s*<td>([^<]*)<\/td>/g)].map(
      ([, source, status]) => [source, status],
    );
    expect(rows).toEqual([
      ["normandy/recipe/3", "success"],
      ["normandy/runner", "server_error"],
    ]);
    const methods = page.slice(page.indexOf('name="method"'), page.indexOf('name="object"'));
    expect([...methods.matchAll(/<option value="([^"]*)"/g)].map(([, value]) => value)).toEqual([
      "",
      "enroll",
      "unenroll",
      "uptake",
    ]);
    expect(page).toContain('<option value="preference_study" selected>preference_study</option>');
    const events = page.slice(page.indexOf('id="events-heading"'));
    expect(events).not.toContain("uptake.remotecontent.result");
  });

  it("shows the client's health: its status at each start, the latest run's stage timings and its undesired events", async () => {
    const server = await servers.start();
    const healthFields = { client_id: CLIENT, locale: "en-US", version: "0.1.0", release_channel: "esr" };
    await postJson(
      server.config.intakeUrl,
      batch({
        events: [
          [100, "recipe_client.health", "health", "RECIPE_CLIENT_STATUS", "OPTED_OUT", healthFields],
          [900, "recipe_client.performance", "performance", "RUN_TOTAL", "90", { recipe_count: "4" }],
          [900, "recipe_client.performance", "performance", "RUN_FETCH", "40", { recipe_count: "4" }],
          [
            950,
            "recipe_client.undesired",
            "undesired",
            "TARGETING_EXPRESSION_ERROR",
            "MALFORMED_EXPRESSION",
            { recipe_id: "12" },
          ],
          [2000, "recipe_client.performance", "performance", "RUN_TOTAL", "35", { recipe_count: "5" }],
          [2000, "recipe_client.performance", "performance", "RUN_FETCH", "12", { recipe_count: "5" }],
        ],
      }),
    );

    const page = await (await fetch(`${server.url}/clients/${CLIENT}?method=uptake`)).text();
    const section = (id: string) =>
      page.slice(page.indexOf(`id="${id}"`), page.indexOf("</table>", page.indexOf(`id="${id}"`)));
    const cells = (id: string) =>
      [...section(id).matchAll(/<tr>(.*?)<\/tr>/gs)]
        .slice(1)
        .map(([row]) => [...row!.matchAll(/<td>(?:<code>)?([^<]*)/g)].map(([, text]) => text));
    expect(cells("health-starts").map((row) => row.slice(2))).toEqual([["OPTED_OUT", "en-US", "0.1.0", "esr"]]);
    expect(section("health-latest-run")).toContain("(5 recipes)");
    expect(cells("health-latest-run")).toEqual([
      ["RUN_TOTAL", "35"],
      ["RUN_FETCH", "12"],
    ]);
    expect(cells("health-undesired").map((row) => row.slice(2))).toEqual([
      ["TARGETING_EXPRESSION_ERROR", "MALFORMED_EXPRESSION", "12"],
    ]);
  });

  it("shows the client's enrollments (branch, state, the published recipe's prefs, events) and its latest runs", async () => {
    const STUDY_ENROLLMENT = "0f5c3e0a-8a43-4b8e-9d61-3c4f1a2b5d6e";
    const ROLLOUT_ENROLLMENT = "7d2e9b14-51c6-4f0a-8e3b-6a9c0d1e2f3a";
    const server = await servers.start();
    const study = server.store.create(
      {
        name: "Pref study",
        action: "multi-preference-experiment",
        arguments: {
          slug: "my-study",
          userFacingName: "My study",
          userFacingDescription: "A study",
          isEnrollmentPaused: false,
          branches: [
            {
              slug: "control",
              ratio: 1,
              preferences: {
                "test.pref": { preferenceType: "string", preferenceBranchType: "user", preferenceValue: "old" },
              },
            },
            {
              slug: "treatment",
              ratio: 1,
              preferences: {
                "test.pref": { preferenceType: "string", preferenceBranchType: "user", preferenceValue: "new" },
              },
            },
          ],
        },
        filter_expression: "true",
        capabilities: [],
      },
      true,
    );
    await server.publish();
    await postJson(
      server.config.intakeUrl,
      batch({
        events: [
          [
            1300,
            "normandy",
            "enroll",
            "preference_study",
            "my-study",
            { branch: "treatment", experimentType: "exp", enrollmentId: STUDY_ENROLLMENT },
          ],
          [1300, "normandy", "enroll", "preference_rollout", "old-rollout", { enrollmentId: ROLLOUT_ENROLLMENT }],
          [
            1350,
            "normandy",
            "graduate",
            "preference_rollout",
            "old-rollout",
            { reason: "all-prefs-match", enrollmentId: ROLLOUT_ENROLLMENT },
          ],
          [1400, "recipe_client.run", "run", "RUN_RESULT", "success", { recipe_count: "2" }],
          [
            1400,
            "recipe_client.run",
            "run",
            "RECIPE_RESULT",
            "success",
            { recipe_id: String(study.id), suitability: "filter-match" },
          ],
          [
            1400,
            "recipe_client.run",
            "run",
            "RECIPE_RESULT",
            "apply_error",
            { recipe_id: "99", suitability: "filter-match" },
          ],
          [2400, "recipe_client.run", "run", "RUN_RESULT", "network_error", { recipe_count: "0" }],
        ],
      }),
    );

    const page = await (await fetch(`${server.url}/clients/${CLIENT}?method=uptake`)).text();
    const rows = (id: string) => tableRows(page, id);
    expect(rows("client-enrollments")).toEqual([
      ["preference study", "my-study", "treatment", "active", "test.pref = &#34;new&#34; (user branch)", "enroll"],
      ["preference rollout", "old-rollout", "", "graduated: all-prefs-match", "", "enroll graduate (all-prefs-match)"],
    ]);
    // The newest run had no recipes (the fetch failed); the one before it is shown too.
    expect(page).toMatch(/Latest run, received [^:]+:\d\d:\d\d\.\d+Z: runner network_error, 0 recipes/);
    const earlier = page.slice(page.indexOf("Earlier run"));
    expect(earlier).toContain('runner success, 2 recipes, <strong class="failed">1 failed</strong>');
    const earlierRows = [...earlier.slice(0, earlier.indexOf("</table>")).matchAll(/<tr><td>(.*?)<\/tr>/gs)].map(
      ([row]) => [...row!.matchAll(/<td>(.*?)<\/td>/gs)].map(([, cell]) => cell!.replace(/<[^>]+>/g, "")),
    );
    expect(earlierRows).toEqual([
      [
        `${study.id} Pref study`,
        "multi-preference-experiment",
        "filter-match",
        "success",
        "its filter matched; the action applied it",
      ],
      [
        "99 (not published now)",
        "",
        "filter-match",
        "apply_error",
        "its filter matched, but the action failed (apply_error); the add-on&#39;s QA console has the reason",
      ],
    ]);
  });

  it("marks the enrollments QA forced from the console, and shows QA's undo as the end reason", async () => {
    const FORCED = "3c9a1f5e-2b7d-4e8a-9c6b-1d2e3f4a5b6c";
    const UNDONE = "8e4b2a6c-1f3d-4a5e-b7c9-0d1e2f3a4b5c";
    const NORMAL = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    const server = await servers.start();
    const accepted = await postJson(
      server.config.intakeUrl,
      batch({
        events: [
          [
            1000,
            "normandy",
            "enroll",
            "preference_study",
            "normal-study",
            { branch: "treatment", experimentType: "exp", enrollmentId: NORMAL },
          ],
          ...forcedStudyEvents(1100, "forced-study", FORCED, "BRANCH_CHOSEN"),
          ...forcedStudyEvents(1200, "undone-study", UNDONE, "FILTER_BYPASSED", 1300),
        ],
      }),
    );
    expect(accepted.status).toBe(201);

    const page = await (await fetch(`${server.url}/clients/${CLIENT}`)).text();
    expect(tableRows(page, "client-enrollments").map(([, slug, , state]) => [slug, state])).toEqual([
      ["forced-study", "active forced by QA in a chosen branch"],
      ["normal-study", "active"],
      ["undone-study", "undone by QA from the add-on&#39;s console forced by QA with its filter bypassed"],
    ]);
  });
});
