/**
 * `show-heartbeat`, rule by rule, against the in-memory notification bar and telemetry: the cases of
 * Firefox's browser_actions_ShowHeartbeatAction.js (throttle, once, xdays, post-answer URL parameters, user
 * id only when asked, survey id) and browser_Heartbeat.js (stars or button, learn more, thanks and the
 * post-answer tab, closing 3 s after an answer, expiry, window closed, the heartbeat ping), plus what we add:
 * nag, state across restarts, messaging events, and surveys bound to a study (exposure, reach).
 */
import { describe, expect, it } from "vitest";
import { ShowHeartbeatAction } from "../../src/actions/ShowHeartbeatAction.js";
import type { Recipe } from "../../src/core/index.js";
import { AddonStudyStore } from "../../src/stores/AddonStudyStore.js";
import { HeartbeatStore } from "../../src/stores/HeartbeatStore.js";
import { PreferenceExperimentStore } from "../../src/stores/PreferenceExperimentStore.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { FakeTelemetryApi } from "../fakes/FakeTelemetryApi.js";
import { HEARTBEAT_CLIENT_ID, heartbeatClient, ManualTimers } from "../fakes/heartbeatClient.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";
import { preferenceExperimentRecord } from "./preferenceExperimentRecord.js";

const HOUR_MS = 60 * 60 * 1000;
const USER_ID = "8d6ee3ee-4c37-4e3b-9d64-9a4e1e0d0b7a";

function heartbeatRecipe(args: Record<string, unknown> = {}, id = 1): Recipe {
  return {
    id,
    name: `survey ${id}`,
    revision_id: "3",
    action: "show-heartbeat",
    filter_expression: "true",
    arguments: {
      surveyId: "a-survey",
      message: "test message",
      engagementButtonLabel: "",
      thanksMessage: "thanks!",
      postAnswerUrl: "http://example.com",
      learnMoreMessage: "Learn More",
      learnMoreUrl: "http://example.com/learn",
      repeatOption: "once",
      ...args,
    },
  };
}

/** A client: storage that survives `restart()`, and a fresh action per run as the runner makes them. */
function setup() {
  const storage = new MemoryStorage();
  const prefs = new FakePrefsApi();
  const preferenceStudies = new PreferenceExperimentStore(storage);
  let timers = new ManualTimers();
  const start = () => {
    const telemetry = new FakeTelemetryApi();
    const client = heartbeatClient({
      storage,
      prefs,
      telemetry,
      preferenceStudies,
      addonStudies: new AddonStudyStore(storage),
      userId: USER_ID,
      timers,
    });
    return { ...client, telemetry };
  };
  let client = start();
  const run = async (...recipes: Recipe[]) => {
    const action = new ShowHeartbeatAction(client.deps);
    const outcomes = [];
    for (const recipe of recipes) outcomes.push(await action.processRecipe(recipe, "filter-match"));
    await action.finalize({ noRecipes: false });
    return outcomes;
  };
  return {
    storage,
    prefs,
    preferenceStudies,
    get timers() {
      return timers;
    },
    run,
    get client() {
      return client;
    },
    /** Firefox restarts: a new session over the same storage and prefs; the old session's timers are gone. */
    restart() {
      const now = timers.now;
      timers = new ManualTimers();
      timers.now = now;
      client = start();
    },
    /** Sets when a survey was last shown, as Normandy's tests do with `_setLastShown`. */
    async setLastShown(recipeId: number, at: number) {
      await new HeartbeatStore(storage).markShown(recipeId, `survey-${recipeId}`, at);
    },
    async events() {
      const { events } = await client.eventLog.read();
      return events
        .filter(([, category]) => category === "recipe_client.messaging")
        .map(
          ([, , , event, value, extra]) =>
            ({ event, value, ...(extra as Record<string, string>) }) as Record<string, string>,
        );
    },
  };
}

describe("show-heartbeat: when a survey is shown (ShowHeartbeatAction)", () => {
  it("shows a survey in the notification bar with the recipe's message, link, and the post-answer URL prepared", async () => {
    const client = setup();
    expect(await client.run(heartbeatRecipe())).toEqual([{ status: "success", suitability: "filter-match" }]);
    const { bar } = client.client;
    // engagementButtonLabel "" means stars, as in Heartbeat.
    expect(bar.shown).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        message: "test message",
        learnMoreMessage: "Learn More",
        learnMoreUrl: "http://example.com/learn",
      },
    ]);
    expect(await client.client.store.get(1)).toMatchObject({
      recipeId: 1,
      surveyId: "a-survey",
      lastShown: client.timers.now,
      timesShown: 1,
      outcome: "open",
      answer: null,
    });
  });

  it("shows nothing while any survey was shown in the last 24 hours, and again after", async () => {
    const client = setup();
    await client.setLastShown(99, client.timers.now);
    await client.run(heartbeatRecipe());
    expect(client.client.bar.shown).toHaveLength(0);
    expect(client.client.info).toEqual([expect.stringContaining("a survey was shown 0 hours ago")]);

    await client.setLastShown(99, client.timers.now - 25 * HOUR_MS);
    await client.run(heartbeatRecipe());
    expect(client.client.bar.shown).toHaveLength(1);
  });

  it("repeatOption once: never again, even days later", async () => {
    const client = setup();
    await client.setLastShown(1, client.timers.now - 25 * HOUR_MS);
    await client.run(heartbeatRecipe({ repeatOption: "once" }));
    expect(client.client.bar.shown).toHaveLength(0);
  });

  it("repeatOption xdays: again only repeatEvery days after it was last shown", async () => {
    const client = setup();
    await client.setLastShown(1, client.timers.now - 25 * HOUR_MS);
    await client.run(heartbeatRecipe({ repeatOption: "xdays", repeatEvery: 2 }));
    expect(client.client.bar.shown).toHaveLength(0);
    await client.setLastShown(1, client.timers.now - 50 * HOUR_MS);
    await client.run(heartbeatRecipe({ repeatOption: "xdays", repeatEvery: 2 }));
    expect(client.client.bar.shown).toHaveLength(1);
  });

  it("repeatOption nag: again after the throttle until the user answers (Normandy's behaviour before it disabled nag)", async () => {
    const client = setup();
    await client.setLastShown(1, client.timers.now - 25 * HOUR_MS);
    await client.run(heartbeatRecipe({ repeatOption: "nag" }));
    expect(client.client.bar.shown).toHaveLength(1);
    client.client.bar.vote(client.client.bar.onlyBar().id, 3);
    await client.client.surveys.settled();
    client.timers.advance(25 * HOUR_MS);
    await client.run(heartbeatRecipe({ repeatOption: "nag" }));
    expect(client.client.bar.shown).toHaveLength(1);
    expect(client.client.info.at(-1)).toContain("this survey was answered");
  });

  it("what was shown and answered survives a restart", async () => {
    const client = setup();
    await client.run(heartbeatRecipe({ repeatOption: "xdays", repeatEvery: 1 }));
    client.client.bar.vote(client.client.bar.onlyBar().id, 5);
    await client.client.surveys.settled();
    client.restart();
    expect(await client.client.store.get(1)).toMatchObject({
      answer: { type: "stars", score: 5 },
      outcome: "answered",
      lastInteraction: client.timers.now,
    });
    client.timers.advance(23 * HOUR_MS);
    await client.run(heartbeatRecipe({ repeatOption: "xdays", repeatEvery: 1 }));
    expect(client.client.bar.shown).toHaveLength(0);
    client.timers.advance(2 * HOUR_MS);
    await client.run(heartbeatRecipe({ repeatOption: "xdays", repeatEvery: 1 }));
    expect(client.client.bar.shown).toHaveLength(1);
    expect(await client.client.store.get(1)).toMatchObject({ timesShown: 2, outcome: "open" });
  });

  it("fails the recipe, storing nothing, when there is no window to show it in", async () => {
    const client = setup();
    client.client.bar.windowOpen = false;
    expect(await client.run(heartbeatRecipe())).toEqual([
      { status: "apply_error", suitability: "filter-match", detail: "There is no browser window to show the bar in" },
    ]);
    expect(await client.client.store.getAll()).toEqual([]);
    expect(await client.events()).toEqual([]);
  });

  it("fails the recipe on an empty message or a post-answer URL that does not parse or is not http(s)", async () => {
    const client = setup();
    const [empty, broken, javascript] = await client.run(
      heartbeatRecipe({ message: "" }, 1),
      heartbeatRecipe({ postAnswerUrl: "not a url" }, 2),
      heartbeatRecipe({ postAnswerUrl: "javascript:alert(1)" }, 3),
    );
    expect(empty).toMatchObject({ status: "apply_error", detail: "message must not be an empty string" });
    expect(broken).toMatchObject({ status: "apply_error", detail: 'postAnswerUrl is not a URL: "not a url"' });
    expect(javascript).toMatchObject({
      status: "apply_error",
      detail: "postAnswerUrl must be an http or https URL, got javascript:",
    });
    expect(client.client.bar.shown).toHaveLength(0);
  });

  it("is not bothered by the studies opt-out (Normandy's heartbeat extends BaseAction)", async () => {
    const client = setup();
    await client.prefs.setPref("app.shield.optoutstudies.enabled", false, "user");
    await client.run(heartbeatRecipe());
    expect(client.client.bar.shown).toHaveLength(1);
  });
});

describe("show-heartbeat: the survey's life (Heartbeat)", () => {
  async function shown(args: Record<string, unknown> = {}) {
    const client = setup();
    await client.run(heartbeatRecipe(args));
    const { bar } = client.client;
    return { client, bar, id: bar.onlyBar().id };
  }

  it("a vote: thanks, the post-answer page in a new tab with Normandy's parameters and the answer, closed 3 s later", async () => {
    const { client, bar, id } = await shown({
      postAnswerUrl: "https://example.com/survey?survey_id=42",
      message: "Hello, World!",
    });
    const offered = client.timers.now;
    client.timers.advance(1000);
    bar.vote(id, 4);
    await client.client.surveys.settled();
    expect(bar.onlyBar()).toMatchObject({ text: "thanks!", answerable: false });
    expect(bar.openedTabs).toHaveLength(1);
    const url = new URL(bar.openedTabs[0]!);
    expect(url.origin + url.pathname).toBe("https://example.com/survey");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      survey_id: "42",
      fxVersion: "153.7.0",
      isDefaultBrowser: "1",
      searchEngine: "google-b-e",
      source: "heartbeat",
      surveyversion: "153.7.0",
      syncSetup: "1",
      updateChannel: "esr",
      utm_campaign: "Hello%2CWorld!",
      utm_medium: "show-heartbeat",
      utm_source: "firefox",
      type: "stars",
      score: "4",
      flowId: id,
    });
    client.timers.advance(2999);
    expect(bar.bars.has(id)).toBe(true);
    client.timers.advance(1);
    await client.client.surveys.settled();
    expect(bar.bars.has(id)).toBe(false);
    expect((await client.events()).map(({ event, value }) => [event, value])).toEqual([
      ["IMPRESSION", "n/a"],
      ["CLICK_BUTTON", "4"],
    ]);
    expect(client.client.telemetry.heartbeatPings).toEqual([
      { flowId: id, surveyId: "a-survey", offered, voted: offered + 1000, score: 4, closed: offered + 4000 },
    ]);
    expect(await client.client.store.get(1)).toMatchObject({
      answer: { type: "stars", score: 4 },
      outcome: "answered",
      lastInteraction: offered + 1000,
    });
  });

  it("an engagement button instead of stars; the answer is type=button; learn more is its own event", async () => {
    const { client, bar, id } = await shown({
      engagementButtonLabel: "Take the survey",
      postAnswerUrl: "https://example.com/s",
    });
    expect(bar.onlyBar().engagementButtonLabel).toBe("Take the survey");
    expect(() => bar.vote(id, 3)).toThrow("shows no stars");
    bar.clickLearnMore(id);
    bar.engage(id);
    await client.client.surveys.settled();
    expect(bar.openedTabs).toEqual([
      "http://example.com/learn",
      expect.stringMatching(/^https:\/\/example\.com\/s\?.*&type=button&flowId=/),
    ]);
    expect((await client.events()).map(({ event, value }) => [event, value])).toEqual([
      ["IMPRESSION", "n/a"],
      ["LEARN_MORE", "n/a"],
      ["CLICK_BUTTON", "ENGAGED"],
    ]);
  });

  it("post-answer parameters never overwrite the URL's own; the user id only with includeTelemetryUUID, also in the survey id", async () => {
    const { client, bar, id } = await shown({
      postAnswerUrl: "https://example.com/?utm_source=shady_tims_firey_fox",
      includeTelemetryUUID: true,
    });
    bar.vote(id, 1);
    await client.client.surveys.settled();
    const url = new URL(bar.openedTabs[0]!);
    expect(url.searchParams.get("utm_source")).toBe("shady_tims_firey_fox");
    expect(url.searchParams.get("userId")).toBe(USER_ID);
    client.timers.advance(3000);
    await client.client.surveys.settled();
    expect(client.client.telemetry.heartbeatPings[0]!.surveyId).toBe(`a-survey::${USER_ID}`);
    // The user id goes to Firefox's own ping as Normandy sends it, never into the messaging events.
    expect(JSON.stringify(await client.events())).not.toContain(USER_ID);

    const without = await shown({ includeTelemetryUUID: false });
    without.bar.vote(without.id, 1);
    await without.client.client.surveys.settled();
    expect(new URL(without.bar.openedTabs[0]!).searchParams.has("userId")).toBe(false);
  });

  it("no post-answer URL (null or empty): no tab after the answer", async () => {
    for (const postAnswerUrl of [null, ""]) {
      const { client, bar, id } = await shown({ postAnswerUrl });
      bar.vote(id, 2);
      await client.client.surveys.settled();
      expect(bar.openedTabs).toEqual([]);
    }
  });

  it("no learn-more link without its message, or with a URL that is not http(s)", async () => {
    for (const args of [
      { learnMoreMessage: null },
      { learnMoreUrl: "javascript:void(0)" },
      { learnMoreUrl: "nonsense" },
    ]) {
      const { bar } = await shown(args);
      expect(bar.onlyBar()).not.toHaveProperty("learnMoreUrl");
      expect(bar.onlyBar()).not.toHaveProperty("learnMoreMessage");
    }
  });

  it("ignored: expires after browser.uitour.surveyDuration seconds (300 without it), then closes", async () => {
    const { client, bar, id } = await shown();
    client.timers.advance(299_999);
    expect(bar.bars.has(id)).toBe(true);
    client.timers.advance(1);
    await client.client.surveys.settled();
    expect(bar.bars.has(id)).toBe(false);
    expect((await client.events()).map(({ event }) => event)).toEqual(["IMPRESSION", "EXPIRED"]);
    expect(client.client.telemetry.heartbeatPings[0]).toEqual(
      expect.objectContaining({ expired: expect.any(Number), closed: expect.any(Number) }),
    );
    expect(client.client.telemetry.heartbeatPings[0]).not.toHaveProperty("voted");
    expect(await client.client.store.get(1)).toMatchObject({ outcome: "expired", answer: null });

    const short = setup();
    await short.prefs.setPref("browser.uitour.surveyDuration", 5, "user");
    await short.run(heartbeatRecipe());
    short.timers.advance(5000);
    await short.client.surveys.settled();
    expect(short.client.bar.bars.size).toBe(0);
  });

  it("dismissed by the user: a DISMISS event and the outcome; a vote after that changes nothing", async () => {
    const { client, bar, id } = await shown();
    bar.dismiss(id);
    await client.client.surveys.settled();
    expect(() => bar.vote(id, 5)).toThrow("There is no bar");
    expect((await client.events()).map(({ event }) => event)).toEqual(["IMPRESSION", "DISMISS"]);
    expect(await client.client.store.get(1)).toMatchObject({
      outcome: "dismissed",
      answer: null,
      lastInteraction: null,
    });
    expect(client.client.telemetry.heartbeatPings[0]).toHaveProperty("closed", expect.any(Number));
    expect(client.client.telemetry.heartbeatPings[0]).not.toHaveProperty("windowClosed");
  });

  it("the window closed: an outcome of its own, not a dismissal", async () => {
    const { client, bar } = await shown();
    bar.closeWindow();
    await client.client.surveys.settled();
    expect((await client.events()).map(({ event }) => event)).toEqual(["IMPRESSION", "WINDOW_CLOSED"]);
    expect(await client.client.store.get(1)).toMatchObject({ outcome: "window-closed" });
    expect(client.client.telemetry.heartbeatPings[0]).toHaveProperty("windowClosed", expect.any(Number));
    expect(client.client.telemetry.heartbeatPings[0]).not.toHaveProperty("closed");
  });

  it("messaging events carry the Activity Stream fields, and only registry values", async () => {
    const { client } = await shown({ surveyId: "a survey with spaces, free text" });
    const [impression] = await client.events();
    expect(impression).toEqual({
      event: "IMPRESSION",
      value: "n/a",
      client_id: HEARTBEAT_CLIENT_ID,
      action: "heartbeat_user_event",
      impression_id: client.client.bar.onlyBar().id,
      addon_version: "0.1.0",
      locale: "en-US",
      source: "HEARTBEAT",
      // A survey id that is free text is not recorded: the recipe's id stands in.
      message_id: "recipe-1",
      experiment: "n/a",
      branch: "n/a",
    });
    expect(client.client.telemetry.clientPings.map(({ type, event }) => [type, event])).toEqual([
      ["messaging", "IMPRESSION"],
    ]);
  });
});

describe("show-heartbeat: a survey bound to a study (beyond Normandy's schema)", () => {
  const SLUG = "three-branch-study";
  const bound = (branch: string, id: number) =>
    heartbeatRecipe({ surveyId: `survey-${branch}`, repeatOption: "nag", study: { slug: SLUG, branch } }, id);
  const BRANCH_SURVEYS = [bound("control", 1), bound("treatment-1", 2), bound("treatment-2", 3)];

  it("shown only to the client's branch, with exposure before the impression, and a reach event per other branch", async () => {
    const client = setup();
    await client.preferenceStudies.add(preferenceExperimentRecord(SLUG, { branch: "control" }));
    await client.run(...BRANCH_SURVEYS);
    expect(client.client.bar.shown.map(({ message }) => message)).toEqual(["test message"]);
    const events = (await client.events()).map(({ event, message_id, experiment, branch, impression_id }) => ({
      event,
      message_id,
      experiment,
      branch,
      impression_id,
    }));
    const flowId = client.client.bar.onlyBar().id;
    expect(events).toEqual([
      { event: "EXPOSURE", message_id: "survey-control", experiment: SLUG, branch: "control", impression_id: flowId },
      { event: "IMPRESSION", message_id: "survey-control", experiment: SLUG, branch: "control", impression_id: flowId },
      {
        event: "REACH",
        message_id: "survey-treatment-1",
        experiment: SLUG,
        branch: "treatment-1",
        impression_id: "n/a",
      },
      {
        event: "REACH",
        message_id: "survey-treatment-2",
        experiment: SLUG,
        branch: "treatment-2",
        impression_id: "n/a",
      },
    ]);
  });

  it("exposure and reach once per message in a session; a restart is a new session", async () => {
    const client = setup();
    await client.preferenceStudies.add(preferenceExperimentRecord(SLUG, { branch: "control" }));
    await client.run(...BRANCH_SURVEYS);
    client.client.bar.dismiss(client.client.bar.onlyBar().id);
    await client.client.surveys.settled();
    client.timers.advance(25 * HOUR_MS);
    await client.run(...BRANCH_SURVEYS);
    expect(client.client.bar.shown).toHaveLength(2);
    expect((await client.events()).map(({ event }) => event)).toEqual([
      "EXPOSURE",
      "IMPRESSION",
      "REACH",
      "REACH",
      "DISMISS",
      "IMPRESSION",
    ]);

    // The event log outlives the session; the new session's events come after the 6 above.
    client.restart();
    client.timers.advance(25 * HOUR_MS);
    await client.run(...BRANCH_SURVEYS);
    expect((await client.events()).slice(6).map(({ event }) => event)).toEqual([
      "EXPOSURE",
      "IMPRESSION",
      "REACH",
      "REACH",
    ]);
  });

  it("a survey for the whole study is shown to every branch with the client's branch; nothing for a client not in the study", async () => {
    const client = setup();
    await client.run(heartbeatRecipe({ study: { slug: SLUG } }));
    expect(client.client.bar.shown).toHaveLength(0);
    expect(await client.events()).toEqual([]);
    expect(client.client.info).toEqual([expect.stringContaining(`is for study ${SLUG}, which this client is not in`)]);

    await client.preferenceStudies.add(preferenceExperimentRecord(SLUG, { branch: "treatment-2" }));
    await client.run(heartbeatRecipe({ study: { slug: SLUG, branch: null } }));
    expect((await client.events()).map(({ event, branch }) => [event, branch])).toEqual([
      ["EXPOSURE", "treatment-2"],
      ["IMPRESSION", "treatment-2"],
    ]);
  });

  it("an ended study binds nothing; a slug telemetry cannot carry fails the recipe", async () => {
    const client = setup();
    await client.preferenceStudies.add(preferenceExperimentRecord(SLUG, { branch: "control", expired: true }));
    await client.run(bound("control", 1));
    expect(client.client.bar.shown).toHaveLength(0);
    const [outcome] = await client.run(heartbeatRecipe({ study: { slug: "-1" } }, 4));
    expect(outcome).toMatchObject({
      status: "apply_error",
      detail: 'study.slug "-1" is not a slug telemetry can carry',
    });
  });

  it("reach ignores the throttle: the other branches' surveys would have been seen, whatever this client saw today", async () => {
    const client = setup();
    await client.preferenceStudies.add(preferenceExperimentRecord(SLUG, { branch: "treatment-1" }));
    await client.setLastShown(99, client.timers.now);
    await client.run(...BRANCH_SURVEYS);
    expect(client.client.bar.shown).toHaveLength(0);
    expect((await client.events()).map(({ event, branch }) => [event, branch])).toEqual([
      ["REACH", "control"],
      ["REACH", "treatment-2"],
    ]);
  });
});
