import { describe, expect, it } from "vitest";
import {
  CLIENT_PING_TYPES,
  CLIENT_PINGS,
  clientPingFieldNames,
  type ClientPingType,
  type FieldRule,
  type PingEventRule,
  SLUG,
  SLUG_OR_NA,
} from "../../src/core/clientPingRegistry.js";
import { clientPingProblem } from "../../src/core/clientPingValidation.js";
import type { ClientPing } from "../../experiment-apis/telemetry/interface.js";
import type { ClientConfig } from "../../src/config/ClientConfig.js";
import { STUDIES_OPT_OUT_PREF } from "../../src/config/ClientConfig.js";
import { EventLogStore } from "../../src/stores/EventLogStore.js";
import { STUDIES_POLICY_FEATURE } from "../../src/config/studiesGate.js";
import { ClientPingRecorder } from "../../src/telemetry/ClientPingRecorder.js";
import { clientStatus, healthPing } from "../../src/telemetry/healthPing.js";
import { StartupSteps } from "../../src/telemetry/StartupSteps.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { FakeTelemetryApi } from "../fakes/FakeTelemetryApi.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

/** Every rule of the registry, named: each event's `value` and each of its fields. */
const RULES = CLIENT_PING_TYPES.flatMap((type) =>
  Object.entries(CLIENT_PINGS[type].events as Record<string, PingEventRule>).flatMap(([event, rule]) => [
    { type, event, field: "value", rule: rule.value },
    ...Object.entries(rule.fields).map(([field, fieldRule]) => ({ type, event, field, rule: fieldRule })),
  ]),
);

/** A value each pattern rule accepts (the first of these it does). */
const PATTERN_SAMPLES = ["1234", "en-US", "0.1.0", "0c6b0e9e-7a5d-4a57-9f3e-2b1c1f0e6d4a"];

function sampleFor(rule: FieldRule): string {
  if ("oneOf" in rule) return rule.oneOf[0]!;
  const sample = PATTERN_SAMPLES.find((candidate) => rule.pattern.test(candidate));
  if (!sample) throw new Error(`no sample for ${rule.means}`);
  return sample;
}

/** A valid ping of `event`, with `field` (or `value`) set to `fieldValue` when given. */
function pingWith(type: ClientPingType, event: string, field?: string, fieldValue?: unknown): Record<string, unknown> {
  const rule = (CLIENT_PINGS[type].events as Record<string, PingEventRule>)[event]!;
  const fields: Record<string, unknown> = Object.fromEntries(
    Object.entries(rule.fields).map(([name, fieldRule]) => [name, sampleFor(fieldRule)]),
  );
  const ping: Record<string, unknown> = { type, event, value: sampleFor(rule.value), fields };
  if (field === "value") ping["value"] = fieldValue;
  else if (field !== undefined) fields[field] = fieldValue;
  return ping;
}

/** What must never fit in a ping: URLs, searches, history entries, preference values and other free text. */
const FORBIDDEN = [
  "https://example.com/path?q=secret",
  "http://127.0.0.1:8888/v1",
  "example.com/page",
  "about:config",
  "file:///home/user/.mozilla",
  "moz-extension://4b3c/pages/console.html",
  "q=how to quit my job",
  "how to quit my job",
  "Bank of Example – Login | https://bank.example/login",
  "browser.startup.homepage",
  "app.shield.optoutstudies.enabled=false",
  "true",
  "false",
  '{"pref":"value"}',
  "-1",
  "12345678901",
  "",
  " 12",
  "12 ",
  "en US",
  "en-US\n",
  "../../etc/passwd",
  "user@example.com",
  "x".repeat(600),
];

/** Characters a URL, a search, a path or a sentence needs: none may appear in any pattern-ruled field. */
const FORBIDDEN_CHARACTERS = [..." :/?#&=@%+\\~!$'\"()*,;[]{}|<>^`\n\t_"];

describe("the client ping registry", () => {
  it("accepts a well-formed ping of every event", () => {
    for (const type of CLIENT_PING_TYPES) {
      for (const event of Object.keys(CLIENT_PINGS[type].events))
        expect(clientPingProblem(pingWith(type, event))).toBeNull();
    }
  });

  it.each(RULES)("no value outside the allowed set fits $type/$event $field", ({ type, event, field, rule }) => {
    const accepted = (candidate: unknown) => clientPingProblem(pingWith(type, event, field, candidate)) === null;

    for (const candidate of FORBIDDEN) expect(accepted(candidate), JSON.stringify(candidate)).toBe(false);
    for (const candidate of [12, null, undefined, true, ["12"], { value: "12" }])
      expect(accepted(candidate)).toBe(false);
    if ("oneOf" in rule) {
      // Exactly the listed words: each one fits, nothing else does, not even another spelling of one.
      for (const word of rule.oneOf) {
        expect(accepted(word)).toBe(true);
        for (const variant of [word.toLowerCase(), word.toUpperCase(), ` ${word}`, `${word}_`, `${word}x`]) {
          expect(accepted(variant)).toBe(rule.oneOf.includes(variant));
        }
      }
    } else {
      const sample = sampleFor(rule);
      // Slugs (messaging's message, study and branch ids) may hold "_", as Normandy's slugs do.
      const forbidden =
        rule === SLUG || rule === SLUG_OR_NA
          ? FORBIDDEN_CHARACTERS.filter((character) => character !== "_")
          : FORBIDDEN_CHARACTERS;
      for (const character of forbidden) {
        for (let at = 0; at <= sample.length; at++) {
          expect(
            accepted(sample.slice(0, at) + character + sample.slice(at)),
            `${JSON.stringify(character)} at ${at}`,
          ).toBe(false);
        }
      }
    }
  });

  it("refuses an unknown field, a missing field, an unknown event or type, and extra properties", () => {
    expect(
      clientPingProblem({
        ...pingWith("undesired", "TARGETING_EXPRESSION_ERROR"),
        fields: { recipe_id: "1", url: "1" },
      }),
    ).toBe('Refused client ping undesired/TARGETING_EXPRESSION_ERROR: field "url" is not allowed (allowed: recipe_id)');
    expect(clientPingProblem({ ...pingWith("undesired", "ADDON_INIT_FAILED"), fields: { recipe_id: "1" } })).toBe(
      'Refused client ping undesired/ADDON_INIT_FAILED: field "recipe_id" is not allowed (allowed: none)',
    );
    expect(clientPingProblem({ ...pingWith("health", "RECIPE_CLIENT_STATUS"), fields: {} })).toBe(
      "Refused client ping health/RECIPE_CLIENT_STATUS: missing fields client_id, locale, version, release_channel",
    );
    expect(clientPingProblem({ ...pingWith("performance", "RUN_TOTAL"), event: "RUN_SEARCH" })).toMatch(
      /^Refused client ping performance\/RUN_SEARCH: unknown event \(known for performance: RUN_TOTAL, /,
    );
    expect(clientPingProblem({ ...pingWith("performance", "RUN_TOTAL"), type: "history" })).toBe(
      "Refused client ping history/RUN_TOTAL: unknown type (known: health, performance, run, messaging, qa, undesired)",
    );
    expect(clientPingProblem({ ...pingWith("performance", "RUN_TOTAL"), url: "https://example.com" })).toBe(
      "Refused client ping performance/RUN_TOTAL: unknown properties url (a ping has type, event, value and fields)",
    );
    expect(clientPingProblem(pingWith("health", "RECIPE_CLIENT_STATUS", "locale", "https://example.com"))).toBe(
      'Refused client ping health/RECIPE_CLIENT_STATUS: field "locale" must be a locale tag such as en-US, got "https://example.com"',
    );
  });

  it("gives each ping type's Glean event the extra keys of all its events, event and value first", () => {
    expect(clientPingFieldNames("health")).toEqual([
      "event",
      "value",
      "client_id",
      "locale",
      "version",
      "release_channel",
    ]);
    expect(clientPingFieldNames("performance")).toEqual(["event", "value", "recipe_count"]);
    expect(clientPingFieldNames("undesired")).toEqual(["event", "value", "recipe_id"]);
    expect(clientPingFieldNames("messaging")).toEqual([
      "event",
      "value",
      "client_id",
      "action",
      "impression_id",
      "addon_version",
      "locale",
      "source",
      "message_id",
      "experiment",
      "branch",
    ]);
  });
});

describe("ClientPingRecorder", () => {
  function recorder() {
    const telemetry = new FakeTelemetryApi();
    const eventLog = new EventLogStore(new MemoryStorage());
    return { telemetry, eventLog, pings: new ClientPingRecorder(telemetry, eventLog) };
  }

  it("records a batch in one call and logs each ping as [ts, recipe_client.<type>, type, event, value, fields]", async () => {
    const { telemetry, eventLog, pings } = recorder();
    const batch: ClientPing[] = [
      { type: "performance", event: "RUN_TOTAL", value: "42", fields: { recipe_count: "3" } },
      { type: "undesired", event: "TARGETING_EXPRESSION_ERROR", value: "OTHER_ERROR", fields: { recipe_id: "7" } },
    ];

    await pings.record(...batch);

    expect(telemetry.clientPings).toEqual(batch);
    expect((await eventLog.read()).events).toEqual([
      [1, "recipe_client.performance", "performance", "RUN_TOTAL", "42", { recipe_count: "3" }],
      [1, "recipe_client.undesired", "undesired", "TARGETING_EXPRESSION_ERROR", "OTHER_ERROR", { recipe_id: "7" }],
    ]);
  });

  it("records none of a batch holding a ping outside the registry", async () => {
    const { telemetry, eventLog, pings } = recorder();
    const smuggled = {
      type: "undesired",
      event: "ADDON_INIT_FAILED",
      value: "https://example.com/?q=secret",
      fields: {},
    } as unknown as ClientPing;

    await expect(
      pings.record({ type: "performance", event: "RUN_TOTAL", value: "1", fields: { recipe_count: "0" } }, smuggled),
    ).rejects.toThrow(/^Refused client ping undesired\/ADDON_INIT_FAILED: value must be one of PREFERENCE_ROLLOUTS, /);
    expect(telemetry.clientPings).toEqual([]);
    expect((await eventLog.read()).events).toEqual([]);
  });
});

describe("the health ping", () => {
  const CONFIG = { enabled: true, rootHash: "AA:BB" } as ClientConfig;
  const CLIENT_ID = "0c6b0e9e-7a5d-4a57-9f3e-2b1c1f0e6d4a";

  it("says whether the client can run, the most restrictive reason first", async () => {
    const prefs = new FakePrefsApi();
    expect(await clientStatus(CONFIG, prefs)).toBe("ENABLED");

    await prefs.setPref(STUDIES_OPT_OUT_PREF, false, "user");
    expect(await clientStatus(CONFIG, prefs)).toBe("OPTED_OUT");
    expect(await clientStatus({ ...CONFIG, rootHash: "" }, prefs)).toBe("NOT_CONFIGURED");

    prefs.blockedByPolicy.add(STUDIES_POLICY_FEATURE);
    expect(await clientStatus({ ...CONFIG, rootHash: "" }, prefs)).toBe("DISABLED_BY_POLICY");
    expect(await clientStatus({ ...CONFIG, enabled: false }, prefs)).toBe("DISABLED_BY_PREF");
  });

  it("carries the client id, locale, add-on version and channel; an unlisted channel is `other`", async () => {
    const sources = { config: CONFIG, prefs: new FakePrefsApi(), clientId: CLIENT_ID, addonVersion: "0.1.0" };

    const ping = await healthPing({ ...sources, app: { locale: "de", channel: "esr" } });
    expect(ping).toEqual({
      type: "health",
      event: "RECIPE_CLIENT_STATUS",
      value: "ENABLED",
      fields: { client_id: CLIENT_ID, locale: "de", version: "0.1.0", release_channel: "esr" },
    });
    expect(clientPingProblem(ping)).toBeNull();

    const partner = await healthPing({ ...sources, app: { locale: "en-US", channel: "release-cck-acme" } });
    expect(partner.fields["release_channel"]).toBe("other");
  });
});

describe("StartupSteps", () => {
  it("reports a failing step as ADDON_INIT_FAILED naming it, never its error, and runs the next one", async () => {
    const telemetry = new FakeTelemetryApi();
    const eventLog = new EventLogStore(new MemoryStorage());
    const errors: string[] = [];
    const steps = new StartupSteps({
      pings: new ClientPingRecorder(telemetry, eventLog),
      error: (message) => errors.push(message),
    });
    const ran: string[] = [];

    expect(await steps.run("PREFERENCE_ROLLOUTS", async () => ran.push("rollouts"))).toBe(true);
    expect(
      await steps.run("PREFERENCE_STUDIES", async () => {
        throw new TypeError("stored study has the pref browser.startup.homepage = https://example.com");
      }),
    ).toBe(false);
    expect(await steps.run("STUDIES_OPT_OUT", async () => ran.push("opt-out"))).toBe(true);

    expect(ran).toEqual(["rollouts", "opt-out"]);
    expect(telemetry.clientPings).toEqual([
      { type: "undesired", event: "ADDON_INIT_FAILED", value: "PREFERENCE_STUDIES", fields: {} },
    ]);
    expect(errors).toEqual([
      "Start-up step PREFERENCE_STUDIES failed: stored study has the pref browser.startup.homepage = https://example.com",
    ]);
    expect(JSON.stringify((await eventLog.read()).events)).not.toMatch(/homepage|example/);
  });

  it("never rejects, even when the failure cannot be reported", async () => {
    const errors: string[] = [];
    const broken = {
      record: () => Promise.reject(new Error("telemetry unavailable")),
    } as unknown as ClientPingRecorder;
    const steps = new StartupSteps({ pings: broken, error: (message) => errors.push(message) });

    expect(await steps.run("ADDON_STUDIES", () => Promise.reject(new Error("store corrupt")))).toBe(false);
    expect(errors).toEqual([
      "Start-up step ADDON_STUDIES failed: store corrupt",
      "Cannot report that start-up step ADDON_STUDIES failed: Error: telemetry unavailable",
    ]);
  });
});
