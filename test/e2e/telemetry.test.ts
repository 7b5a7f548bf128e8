/**
 * Telemetry end to end in a real Firefox ESR: Normandy's events through the telemetry experiment API land in
 * Firefox's own `Glean.normandy.*` metrics (read in the chrome context) and events outside the registry are
 * refused; experiment annotations reach TelemetryEnvironment and Glean; every uptake status a console-log
 * recipe or a server fault can cause today is read back from Glean, with recipe freshness; events reach the
 * local server's intake only while telemetry upload is enabled; the QA console exports the event log.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { RecipeFields } from "../../server/recipeStore.js";
import { eventRecordOf } from "../../server/intakeStore.js";
import type { JsonValue } from "./harness/index.js";
import { ADDON_ID, type UptakeEvent } from "./support/addonUnderTest.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";

const CONSOLE_PAGE = "pages/console.html";
const UPLOAD_ENABLED_PREF = "datareporting.healthreport.uploadEnabled";

describe("telemetry, end to end", () => {
  const running = useServerAndAddon("telemetry", {
    prefs: {
      // Debian's ESR already defaults to false; said here because the test depends on it.
      [UPLOAD_ENABLED_PREF]: false,
      "intl.locale.requested": "en-US",
    },
    waitForFirstRun: true,
  });

  /** Runs `body` in the add-on's QA console page, where `browser.experiments.telemetry` is the real API. */
  const inAddonPage = <T>(body: string, ...args: JsonValue[]) =>
    running.addon.firefox.evalInExtensionPage<T>(ADDON_ID, CONSOLE_PAGE, body, ...args);
  const inChrome = <T>(body: string, ...args: JsonValue[]) => running.addon.firefox.evalInChrome<T>(body, ...args);
  const setUploadEnabled = (enabled: boolean) =>
    inChrome(`Services.prefs.setBoolPref(args[0], args[1]);`, UPLOAD_ENABLED_PREF, enabled);

  describe("Normandy events", () => {
    const events = [
      [
        "enroll",
        "preference_study",
        "e2e-pref-study",
        { branch: "treatment", experimentType: "exp", enrollmentId: "e-2" },
        "enroll_preference_study",
      ],
      [
        "enrollFailed",
        "addon_study",
        "e2e-addon-study",
        { reason: "download-failure", detail: "HTTP 404" },
        "enroll_failed_addon_study",
      ],
      [
        "update",
        "preference_rollout",
        "e2e-rollout",
        { previousState: "active", enrollmentId: "e-1" },
        "update_preference_rollout",
      ],
      [
        "updateFailed",
        "addon_rollout",
        "e2e-addon-rollout",
        { reason: "conflict", branch: "active", enrollmentId: "e-3" },
        "update_failed_addon_rollout",
      ],
      [
        "unenroll",
        "preference_rollback",
        "e2e-rollout",
        { reason: "rollback", enrollmentId: "e-1" },
        "unenroll_preference_rollback",
      ],
      [
        "unenrollFailed",
        "preference_study",
        "e2e-pref-study",
        { reason: "does-not-exist", caller: "stop" },
        "unenroll_failed_preference_study",
      ],
      [
        "graduate",
        "preference_rollout",
        "e2e-rollout",
        { reason: "all-prefs-match", enrollmentId: "e-1" },
        "graduate_preference_rollout",
      ],
      [
        "expPrefChanged",
        "preference_study",
        "e2e-pref-study",
        { preferenceName: "a.b", reason: "observer", enrollmentId: "e-2" },
        "exp_pref_changed_preference_study",
      ],
      [
        "validationFailed",
        "nimbus_experiment",
        "e2e-nimbus",
        { reason: "invalid-branch", branch: "x" },
        "validation_failed_nimbus_experiment",
      ],
    ] as const;

    it("recordEvent lands in Firefox's own Glean.normandy event metric of each method, value among the extras", async () => {
      const timestamps = await inAddonPage<number[]>(
        `const timestamps = [];
         for (const [method, object, value, extra] of args[0]) {
           timestamps.push(await browser.experiments.telemetry.recordEvent(method, object, value, extra));
         }
         return timestamps;`,
        events.map(([method, object, value, extra]) => [method, object, value, extra]),
      );
      for (const timestamp of timestamps) expect(Number.isInteger(timestamp) && timestamp > 0).toBe(true);
      expect([...timestamps].sort((a, b) => a - b)).toEqual(timestamps);

      const recorded = await inChrome<Record<string, unknown>>(
        `const camel = (snake) => snake.replace(/_([a-z])/g, (_, letter) => letter.toUpperCase());
         return Object.fromEntries(args[0].map((name) => [name, Glean.normandy[camel(name)].testGetValue()]));`,
        events.map(([, , , , metric]) => metric),
      );
      for (const [method, , value, extra, metric] of events) {
        // ESR 153's compiled enroll metrics have no enrollmentId: it is left out there (and kept below).
        const { enrollmentId, ...rest } = extra as Record<string, string>;
        const compiledExtra =
          method === "enroll" ? rest : { ...rest, ...(enrollmentId === undefined ? {} : { enrollmentId }) };
        expect(recorded[metric], metric).toEqual([
          expect.objectContaining({ category: "normandy", name: metric, extra: { ...compiledExtra, value } }),
        ]);
      }
      const runtimeEnroll = await inChrome<unknown>(
        `return Glean.recipeClientEvents.enrollPreferenceStudy.testGetValue();`,
      );
      expect(runtimeEnroll).toEqual([
        expect.objectContaining({
          category: "recipe_client_events",
          name: "enroll_preference_study",
          extra: { ...events[0][3], value: events[0][2] },
        }),
      ]);
    });

    it("an event outside the registry is refused with the reason, and nothing reaches Glean", async () => {
      const errors = await inAddonPage<string[]>(
        `const errors = [];
         for (const [method, object, value, extra] of args[0]) {
           try {
             await browser.experiments.telemetry.recordEvent(method, object, value, extra);
             errors.push("recorded");
           } catch (error) {
             errors.push(error.message);
           }
         }
         return errors;`,
        [
          ["enroll", "preference_rollback", "s", {}],
          ["unenroll", "addon_rollback", "s", { reason: null }],
          ["enroll", "addon_rollout", "s".repeat(81), {}],
          ["enroll", "addon_rollout", "s", { addonId: "a@example.test", addonVersion: "1.0" }],
          ["unenrol", "addon_study", "s", {}],
        ],
      );

      expect(errors).toEqual([
        'Refused telemetry event normandy/enroll/preference_rollback: "enroll" is not recorded for object "preference_rollback" (only for preference_study, addon_study, preference_rollout, addon_rollout, nimbus_experiment)',
        'Refused telemetry event normandy/unenroll/addon_rollback: extra "reason" must be a string, got null',
        "Refused telemetry event normandy/enroll/addon_rollout: the value is 81 characters long; at most 80 are allowed",
        'Refused telemetry event normandy/enroll/addon_rollout: every "enroll" event carries the extra "enrollmentId"; it is missing',
        expect.stringMatching(/^Refused telemetry event normandy\/unenrol\/addon_study: unknown method "unenrol"/),
      ]);
      const untouched = await inChrome<unknown[]>(
        `return [Glean.normandy.unenrollAddonRollback.testGetValue(), Glean.normandy.enrollAddonRollout.testGetValue()];`,
      );
      expect(untouched).toEqual([null, null]);
    });

    it("experiment annotations reach TelemetryEnvironment and Glean, and are removed again", async () => {
      const annotations = () =>
        inChrome<{ environment: Record<string, unknown>; glean: Record<string, unknown> }>(
          `const { TelemetryEnvironment } = ChromeUtils.importESModule("resource://gre/modules/TelemetryEnvironment.sys.mjs");
           return {
             environment: TelemetryEnvironment.getActiveExperiments(),
             glean: Object.fromEntries(["e2e-study", "e2e-rollout"].map((slug) => [slug, Services.fog.testGetExperimentData(slug)])),
           };`,
        );
      await inAddonPage(
        `await browser.experiments.telemetry.setExperimentActive("e2e-study", "treatment", { type: "normandy-exp", enrollmentId: "e-7" });
         await browser.experiments.telemetry.setExperimentActive("e2e-rollout", "active", { type: "normandy-prefrollout" });`,
      );

      expect(await annotations()).toEqual({
        environment: {
          "e2e-study": { branch: "treatment", type: "normandy-exp", enrollmentId: "e-7" },
          "e2e-rollout": { branch: "active", type: "normandy-prefrollout" },
        },
        glean: {
          "e2e-study": { branch: "treatment", extra: { type: "normandy-exp", enrollmentId: "e-7" } },
          "e2e-rollout": { branch: "active", extra: { type: "normandy-prefrollout" } },
        },
      });

      await inAddonPage(`await browser.experiments.telemetry.setExperimentInactive("e2e-study");`);

      expect(await annotations()).toEqual({
        environment: { "e2e-rollout": { branch: "active", type: "normandy-prefrollout" } },
        glean: { "e2e-study": null, "e2e-rollout": { branch: "active", extra: { type: "normandy-prefrollout" } } },
      });
    });
  });

  describe("uptake read back from Glean", () => {
    /** Creates and publishes a recipe; `fields` may be what the admin API would refuse (the store does not check). */
    const publish = async (fields: Partial<RecipeFields> & { name: string }) => {
      const recipe = running.server.store.create(
        {
          action: "console-log",
          arguments: { message: fields.name },
          filter_expression: "true",
          capabilities: [],
          ...fields,
        },
        true,
      );
      await running.server.publish();
      return recipe.id;
    };
    /** The uptake one "Run now" adds to Glean. */
    const uptakeOfOneRun = async (): Promise<UptakeEvent[]> => {
      const before = (await running.addon.gleanUptake()).length;
      await running.addon.runNow();
      return (await running.addon.gleanUptake()).slice(before);
    };
    const freshness = (recipeId: number) =>
      inChrome<number | null>(`return Glean.recipeClient.recipeFreshness[args[0]].testGetValue();`, String(recipeId));
    const disableAll = async () => {
      for (const recipe of running.server.store.list()) running.server.store.setEnabled(recipe.id, false);
      await running.server.publish();
    };

    beforeEach(disableAll);

    it("success for a matching recipe, its action and the runner; freshness follows the revision", async () => {
      const id = await publish({ name: "uptake: success" });

      const uptake = await uptakeOfOneRun();
      expect(uptake[0]).toEqual({ source: `normandy/recipe/${id}`, value: "success" });
      expect(uptake).toContainEqual({ source: "normandy/action/ConsoleLogAction", value: "success" });
      expect(uptake.at(-1)).toEqual({ source: "normandy/runner", value: "success" });
      expect(await freshness(id)).toBe(1);

      running.server.store.update(id, {
        ...running.server.store.get(id)!,
        arguments: { message: "uptake: success, revised" },
      });
      await running.server.publish();
      await uptakeOfOneRun();
      expect(await freshness(id)).toBe(2);
    });

    const recipeScenarios: [status: string, why: string, fields: Partial<RecipeFields>][] = [
      ["backoff", "its filter is false", { filter_expression: "normandy.locale == 'xx-YY'" }],
      // Published recipes always require `action.<name>`, so an action this client lacks is a capabilities
      // mismatch (backoff) before it could be Normandy's RECIPE_INVALID_ACTION (download_error).
      // `opt-out-study` (Normandy's legacy add-on study action) is one the server knows and this client does not run.
      [
        "backoff",
        "its action is one this client does not have",
        {
          action: "opt-out-study",
          arguments: {
            name: "Legacy study",
            description: "An opt-out study",
            addonUrl: "https://example.com/study.xpi",
            extensionApiId: 1,
            isEnrollmentPaused: true,
          },
        },
      ],
      ["content_error", "its filter does not parse", { filter_expression: "normandy.locale ==" }],
      ["apply_error", "its arguments are invalid", { arguments: { message: 42 } }],
    ];

    it.each(recipeScenarios)("%s for a recipe when %s", async (status, why, fields) => {
      const id = await publish({ name: `uptake: ${why}`, ...fields });

      const uptake = await uptakeOfOneRun();

      expect(uptake).toContainEqual({ source: `normandy/recipe/${id}`, value: status });
      expect(uptake.at(-1)).toEqual({ source: "normandy/runner", value: "success" });
    });

    it("custom_1_error for a study recipe while the user has opted out of studies", async () => {
      const optOutPref = "app.shield.optoutstudies.enabled";
      const id = await publish({
        name: "uptake: opted out",
        action: "multi-preference-experiment",
        arguments: {
          slug: "uptake-opted-out",
          userFacingName: "Opted out",
          userFacingDescription: "Never enrolls: studies are off",
          isEnrollmentPaused: false,
          branches: [
            {
              slug: "a",
              ratio: 1,
              preferences: {
                "uptake.test.pref": { preferenceType: "integer", preferenceBranchType: "default", preferenceValue: 1 },
              },
            },
          ],
        },
      });
      await inChrome(`Services.prefs.setBoolPref(args[0], false);`, optOutPref);
      try {
        // Normandy's RECIPE_ACTION_DISABLED: the study action is disabled, so its recipes are not processed.
        expect(await uptakeOfOneRun()).toContainEqual({ source: `normandy/recipe/${id}`, value: "custom_1_error" });
        expect(await inChrome(`return Services.prefs.getPrefType(args[0]);`, "uptake.test.pref")).toBe(0); // PREF_INVALID: never set
      } finally {
        await inChrome(`Services.prefs.setBoolPref(args[0], true);`, optOutPref);
      }
    });

    it("sign_error for a recipe changed after it was signed", async () => {
      const id = await publish({ name: "uptake: tampered" });
      running.server.faults.set({ kind: "tamper-recipe", recipeId: id });
      try {
        expect(await uptakeOfOneRun()).toContainEqual({ source: `normandy/recipe/${id}`, value: "sign_error" });
      } finally {
        running.server.faults.clear();
      }
    });

    it("server_error for the runner when the server answers 503", async () => {
      running.server.faults.set({ kind: "http-status", status: 503 });
      try {
        expect(await uptakeOfOneRun()).toEqual([{ source: "normandy/runner", value: "server_error" }]);
      } finally {
        running.server.faults.clear();
      }
    });

    it("network_error for the runner when the server is down", async () => {
      await running.server.close();
      try {
        expect(await uptakeOfOneRun()).toEqual([{ source: "normandy/runner", value: "network_error" }]);
      } finally {
        await running.restartServer();
      }
    });

    it("the event log holds every uptake Glean holds, in the event format", async () => {
      const { events } = await running.addon.state();
      const glean = await running.addon.gleanUptake();
      const uptakeEvents = events.filter(([, category]) => category === "uptake.remotecontent.result");
      expect(uptakeEvents.map(([, ...rest]) => rest)).toEqual(
        glean.map(({ source, value }) => ["uptake.remotecontent.result", "uptake", "normandy", value, { source }]),
      );
    });
  });

  describe("the intake", () => {
    const clientIdPref = () =>
      inChrome<string>(`return Services.prefs.getStringPref("extensions.recipeclient.client_id", "");`);

    /**
     * Turns upload on and makes a run; returns the events it logged. The positive signal for "nothing was
     * sent while upload was off": the uploader sends the oldest events first, so once this run's events have
     * reached the intake, an event kept from before would have reached it too.
     */
    const runWithUploadEnabled = async () => {
      const loggedBefore = (await running.addon.state()).events.length;
      await setUploadEnabled(true);
      await running.addon.runNow();
      return (await running.addon.state()).events.slice(loggedBefore);
    };

    it("receives nothing while telemetry upload is disabled; once it is enabled, exactly the events recorded after that, with the envelope", async () => {
      const logged = (await running.addon.state()).events.length;
      await running.addon.runNow();

      expect((await running.addon.state()).events.length).toBeGreaterThan(logged);
      expect(running.server.intake.clients()).toEqual([]);

      const recordedSince = await runWithUploadEnabled();

      await expect
        .poll(() => running.server.intake.clients().map((client) => client.eventCount), {
          timeout: 10_000,
          interval: 250,
        })
        .toEqual([recordedSince.length]);
      const id = await clientIdPref();
      const received = running.server.intake.events(id).reverse();
      expect(received.map(eventRecordOf)).toEqual(recordedSince);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(id).not.toBe(
        await inChrome<string>(`return Services.prefs.getStringPref("extensions.recipeclient.user_id", "");`),
      );
      expect(running.server.intake.clients()).toEqual([
        expect.objectContaining({
          clientId: id,
          addonVersion: "0.1.0",
          locale: "en-US",
          lastSessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        }),
      ]);
    });

    it("receives nothing more once upload is disabled again", async () => {
      const id = await clientIdPref();
      const received = running.server.intake.events(id).length;
      await setUploadEnabled(false);

      await running.addon.runNow();

      const recordedSince = await runWithUploadEnabled();
      await expect
        .poll(() => running.server.intake.events(id).length, { timeout: 10_000, interval: 250 })
        .toBe(received + recordedSince.length);
      const newest = running.server.intake.events(id).slice(0, recordedSince.length).reverse();
      expect(newest.map(eventRecordOf)).toEqual(recordedSince);
      expect(running.server.intake.events(id).slice(recordedSince.length)).toHaveLength(received);
      await setUploadEnabled(false);
    });
  });

  it("the QA console's Export button downloads the event log as JSON", async () => {
    const exported = await inAddonPage<{
      fileName: string;
      type: string;
      json: { exportedAt: string; droppedEvents: number; eventSessions: unknown[]; events: unknown[] };
      logged: { events: unknown[]; eventSessions: unknown[] };
    }>(
      `// Capture the download instead of writing a file.
       const blobs = new Map();
       URL.createObjectURL = (blob) => { const url = "blob:captured-" + blobs.size; blobs.set(url, blob); return url; };
       const clicked = new Promise((resolve) => {
         HTMLAnchorElement.prototype.click = function () { resolve({ href: this.href, fileName: this.download }); };
       });
       document.getElementById("export-events").click();
       const { href, fileName } = await clicked;
       const blob = blobs.get(href);
       const { events, eventSessions } = await browser.runtime.sendMessage({ type: "get-state" });
       return { fileName, type: blob.type, json: JSON.parse(await blob.text()), logged: { events, eventSessions } };`,
    );

    expect(exported.fileName).toMatch(/^recipe-client-events-\d{4}-\d{2}-\d{2}T[\d-]+Z\.json$/);
    expect(exported.type).toBe("application/json");
    expect(exported.json.droppedEvents).toBe(0);
    expect(exported.json.events).toEqual(exported.logged.events);
    expect(exported.json.events.length).toBeGreaterThan(0);
    // With the sessions that turn the timestamps into clock times: this Firefox's, from the first event on.
    expect(exported.json.eventSessions).toEqual(exported.logged.eventSessions);
    expect(exported.json.eventSessions).toEqual([{ processStart: expect.any(Number), firstEvent: 0 }]);
    expect(new Date(exported.json.exportedAt).getTime()).not.toBeNaN();
  });
});
