/**
 * Heartbeat surveys end to end in a real Firefox, read through the chrome context: a published survey shows
 * its bar in the browser window (a screenshot of the window is kept in test-results/heartbeat/); a vote
 * thanks the user, opens the post-answer page with Normandy's parameters and closes the bar; the messaging
 * events go, in order, to the event log, Glean and the intake, and Firefox's own heartbeat ping is
 * submitted; `repeatOption` holds across a restart; an ignored survey expires; a dismissed one says so;
 * closing its window is an outcome of its own. The QA console lists each survey's state and shows a published
 * survey now; the server's recipe editor previews the bar. Then a survey bound to a three-branch study, for a
 * client in control: exposure once per session, and a reach event for each of the two other branches' surveys.
 */
import { describe, expect, it } from "vitest";
import type { RecipeFields } from "../../server/recipeStore.js";
import { ratioSample } from "../../src/core/index.js";
import type { LoggedEvent } from "../../src/stores/EventLogStore.js";
import type { SurveyRecord } from "../../src/stores/HeartbeatStore.js";
import type { JsonValue } from "./harness/index.js";
import { ADDON_ID } from "./support/addonUnderTest.js";
import { useServerAndAddon, type ServerAndAddon } from "./support/serverAndAddon.js";

const SCREENSHOTS = "test-results/heartbeat";
const HOUR_MS = 60 * 60 * 1000;
const POLL = { timeout: 15_000, interval: 250 };

/** The survey bar in the top browser window, as the user sees it; null when there is none. */
interface BarView {
  id: string;
  text: string;
  stars: boolean;
  buttons: string[];
  learnMore: { href: string; label: string } | null;
}

function surveyRecipe(name: string, args: Record<string, unknown>): RecipeFields {
  return {
    name,
    action: "show-heartbeat",
    arguments: {
      thanksMessage: "Thanks!",
      engagementButtonLabel: null,
      learnMoreMessage: null,
      learnMoreUrl: null,
      postAnswerUrl: null,
      repeatOption: "once",
      ...args,
    },
    filter_expression: "true",
    capabilities: [],
  };
}

/** Reads and drives the survey bar and the add-on's survey state of one running Firefox. */
function surveyDriver(running: ServerAndAddon) {
  const inChrome = <T>(body: string, ...args: JsonValue[]) => running.addon.firefox.evalInChrome<T>(body, ...args);
  const findBar = `const bar = BrowserWindowTracker.getTopWindow().gNotificationBox.allNotifications
    .find((notification) => (notification.getAttribute("value") ?? "").startsWith("heartbeat-"));`;
  const importTracker = `const { BrowserWindowTracker } = ChromeUtils.importESModule("resource:///modules/BrowserWindowTracker.sys.mjs");`;
  const driver = {
    inChrome,
    async bar(): Promise<BarView | null> {
      return inChrome<BarView | null>(
        `${importTracker} ${findBar}
         if (!bar) return null;
         await bar.updateComplete;
         const link = bar.supportLinkEls?.[0];
         return {
           id: bar.getAttribute("value").slice("heartbeat-".length),
           text: bar.messageText.textContent.trim(),
           stars: bar.buttonContainer.querySelector("moz-five-star") !== null,
           buttons: [...bar.buttonContainer.querySelectorAll("button")].map((button) => button.label ?? button.textContent),
           learnMore: link ? { href: link.href, label: link.value } : null,
         };`,
      );
    },
    async shownBar(): Promise<BarView> {
      await expect.poll(() => driver.bar(), POLL).not.toBeNull();
      return (await driver.bar())!;
    },
    /** Clicks a star, the engagement button, the learn-more link or the bar's own close button, as the user would. */
    click(target: { star: number } | "button" | "learn-more" | "close"): Promise<void> {
      return inChrome(
        `${importTracker} ${findBar}
         const target = args[0];
         if (target === "button") bar.buttonContainer.querySelector("button").click();
         else if (target === "close") bar.closeButton.click();
         else if (target === "learn-more") bar.supportLinkEls[0].click();
         else bar.buttonContainer.querySelector("moz-five-star").shadowRoot.querySelector('.rating-star[rating="' + target.star + '"]').click();`,
        target,
      );
    },
    /** The URLs of the top window's tabs. */
    tabs(): Promise<string[]> {
      return inChrome(
        `${importTracker} return BrowserWindowTracker.getTopWindow().gBrowser.tabs.map((tab) => tab.linkedBrowser.currentURI.spec);`,
      );
    },
    /** Every messaging event in the add-on's event log, oldest first. */
    async messaging(): Promise<Record<string, string>[]> {
      const { events } = await running.addon.state();
      return events
        .filter(([, category]: LoggedEvent) => category === "recipe_client.messaging")
        .map(([, , , event, value, extra]) => ({ event, value: value ?? "", ...(extra as Record<string, string>) }));
    },
    /** The messaging events in Glean (`recipe_client.messaging`), oldest first. */
    gleanMessaging(): Promise<Record<string, string>[]> {
      return inChrome(`return (Glean.recipeClient.messaging?.testGetValue() ?? []).map((event) => event.extra);`);
    },
    /** The add-on's stored survey state, by recipe id. */
    surveys(): Promise<Record<string, SurveyRecord>> {
      return running.addon.firefox.evalInExtensionPage(
        ADDON_ID,
        "pages/console.html",
        `return (await browser.storage.local.get("heartbeats")).heartbeats?.surveys ?? {};`,
      );
    },
    /** Moves every survey's last showing `hours` back, as if that much time had passed (Normandy's tests set lastShown). */
    async passTime(hours: number): Promise<void> {
      await running.addon.firefox.evalInExtensionPage(
        ADDON_ID,
        "pages/console.html",
        `const { heartbeats } = await browser.storage.local.get("heartbeats");
         for (const survey of Object.values(heartbeats.surveys)) {
           survey.lastShown -= args[0];
           if (survey.lastInteraction !== null) survey.lastInteraction -= args[0];
         }
         await browser.storage.local.set({ heartbeats });`,
        hours * HOUR_MS,
      );
    },
    /**
     * Calls `record` from Firefox's heartbeat ping just before its next submission: the ping's metrics are
     * cleared once it is sent. Read the captured values with `heartbeatPing()`.
     */
    captureHeartbeatPing(): Promise<void> {
      return inChrome(
        `window.recipeClientHeartbeatPing = null;
         GleanPings.heartbeat.testBeforeNextSubmit(() => {
           const time = (metric) => metric.testGetValue()?.getTime() ?? null;
           const hb = Glean.heartbeat;
           window.recipeClientHeartbeatPing = {
             flowId: hb.flowId.testGetValue(), surveyId: hb.surveyId.testGetValue(), score: hb.score.testGetValue(),
             offered: time(hb.offered), learnMore: time(hb.learnMore), engaged: time(hb.engaged), voted: time(hb.voted),
             expired: time(hb.expired), closed: time(hb.closed), windowClosed: time(hb.windowClosed),
           };
         });`,
      );
    },
    heartbeatPing(): Promise<Record<string, JsonValue> | null> {
      return inChrome(`return window.recipeClientHeartbeatPing ?? null;`);
    },
  };
  return driver;
}

describe("a heartbeat survey, end to end", () => {
  let surveyId: number;
  let postAnswerBase: string;
  const running = useServerAndAddon("heartbeat", {
    installPermanently: true,
    // Upload on, so the intake's share of the events can be checked too.
    prefs: { "datareporting.healthreport.uploadEnabled": true, "browser.uitour.surveyDuration": 600 },
    prepareServer: async (server) => {
      postAnswerBase = `${server.config.serverUrl}/?from=survey`;
      surveyId = server.store.create(
        surveyRecipe("Survey", {
          surveyId: "hb-e2e",
          message: "How do you like Firefox?",
          postAnswerUrl: postAnswerBase,
          learnMoreMessage: "Learn more",
          learnMoreUrl: `${server.config.serverUrl}/learn-more`,
        }),
        true,
      ).id;
      await server.publish();
    },
    waitForFirstRun: true,
  });
  const survey = () => surveyDriver(running);

  it("the published survey's bar is in the browser window: message, five stars, learn-more link", async () => {
    const bar = await survey().shownBar();
    expect(bar).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      text: "How do you like Firefox?",
      stars: true,
      buttons: [],
      learnMore: { href: `${running.server.config.serverUrl}/learn-more`, label: "Learn more" },
    });
    await running.addon.firefox.screenshotWindow(`${SCREENSHOTS}/survey-bar.png`);
    expect(
      (await survey().messaging()).map(({ event, message_id, impression_id }) => [event, message_id, impression_id]),
    ).toEqual([["IMPRESSION", "hb-e2e", bar.id]]);
    expect((await survey().surveys())[surveyId]).toMatchObject({
      surveyId: "hb-e2e",
      timesShown: 1,
      outcome: "open",
      answer: null,
    });
  });

  it("a vote: the thanks message, the post-answer page in a new tab with Normandy's parameters, the bar closed 3 s later", async () => {
    const { id } = await survey().shownBar();
    await survey().captureHeartbeatPing();
    // The learn-more link first: Firefox opens it in a tab; the survey stays.
    await survey().click("learn-more");
    await expect.poll(() => survey().tabs(), POLL).toContain(`${running.server.config.serverUrl}/learn-more`);
    expect(await survey().bar()).toMatchObject({ id, stars: true });
    await survey().click({ star: 4 });
    await expect.poll(async () => (await survey().bar())?.text, POLL).toBe("Thanks!");
    expect(await survey().bar()).toMatchObject({ stars: false, buttons: [] });
    await running.addon.firefox.screenshotWindow(`${SCREENSHOTS}/survey-thanks.png`);

    await expect
      .poll(
        async () =>
          (await survey().tabs()).find(
            (url) => url.startsWith(postAnswerBase.split("?")[0]!) && url.includes("flowId"),
          ),
        POLL,
      )
      .toBeDefined();
    const tab = new URL((await survey().tabs()).find((url) => url.includes("flowId"))!);
    const firefox = await survey().inChrome<{ version: string; channel: string; search: string }>(
      `const { UpdateUtils } = ChromeUtils.importESModule("resource://gre/modules/UpdateUtils.sys.mjs");
       const { SearchService } = ChromeUtils.importESModule("moz-src:///toolkit/components/search/SearchService.sys.mjs");
       return { version: Services.appinfo.version, channel: UpdateUtils.getUpdateChannel(false), search: (await SearchService.getDefault()).telemetryId };`,
    );
    expect(Object.fromEntries(tab.searchParams)).toEqual({
      from: "survey",
      fxVersion: firefox.version,
      isDefaultBrowser: "0",
      searchEngine: firefox.search,
      source: "heartbeat",
      surveyversion: firefox.version,
      syncSetup: "0",
      updateChannel: firefox.channel,
      utm_campaign: "HowdoyoulikeFirefox%3F",
      utm_medium: "show-heartbeat",
      utm_source: "firefox",
      type: "stars",
      score: "4",
      flowId: id,
    });

    await expect.poll(() => survey().bar(), POLL).toBeNull();
    const events = await survey().messaging();
    expect(events.map(({ event, value }) => [event, value])).toEqual([
      ["IMPRESSION", "n/a"],
      ["LEARN_MORE", "n/a"],
      ["CLICK_BUTTON", "4"],
    ]);
    expect(await survey().gleanMessaging()).toEqual(events);
    await expect.poll(() => survey().heartbeatPing(), POLL).not.toBeNull();
    const ping = (await survey().heartbeatPing())!;
    expect(ping).toMatchObject({
      flowId: id,
      surveyId: "hb-e2e",
      score: 4,
      engaged: null,
      expired: null,
      windowClosed: null,
    });
    // Whole seconds (Glean's datetime precision), in order.
    expect(ping.offered as number).toBeLessThanOrEqual(ping.learnMore as number);
    expect(ping.learnMore as number).toBeLessThanOrEqual(ping.voted as number);
    expect(ping.voted as number).toBeLessThan(ping.closed as number);
    expect((await survey().surveys())[surveyId]).toMatchObject({
      answer: { type: "stars", score: 4 },
      outcome: "answered",
    });
  });

  it("the intake receives the messaging events, and nothing outside the registry", async () => {
    const clientId = await survey().inChrome<string>(
      `return Services.prefs.getStringPref("extensions.recipeclient.client_id");`,
    );
    await expect
      .poll(
        () =>
          running.server.intake
            .events(clientId, { method: "messaging" })
            .map((event) => event.object)
            .reverse(),
        POLL,
      )
      .toEqual(["IMPRESSION", "LEARN_MORE", "CLICK_BUTTON"]);
    const [impression] = running.server.intake.events(clientId, { method: "messaging", object: "IMPRESSION" });
    expect(impression!.extra).toEqual({
      client_id: clientId,
      action: "heartbeat_user_event",
      impression_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      addon_version: "0.1.0",
      locale: "en-US",
      source: "HEARTBEAT",
      message_id: "hb-e2e",
      experiment: "n/a",
      branch: "n/a",
    });
  });

  it("repeatOption across a restart: once is never shown again; xdays comes back after repeatEvery days", async () => {
    const runsBefore = (await running.addon.state()).runs.length;
    await running.addon.firefox.restart();
    await running.addon.waitForRuns(runsBefore + 1);
    expect((await survey().surveys())[surveyId]).toMatchObject({ outcome: "answered", timesShown: 1 });

    await survey().passTime(25);
    const once = await running.addon.runNow();
    expect(once.recipes).toContainEqual(
      expect.objectContaining({ id: surveyId, suitability: "filter-match", status: "success" }),
    );
    expect(await survey().bar()).toBeNull();

    const recipe = running.server.store.get(surveyId)!;
    running.server.store.update(surveyId, {
      ...recipe,
      arguments: { ...recipe.arguments, repeatOption: "xdays", repeatEvery: 2 },
    });
    await running.server.publish();
    await running.addon.runNow();
    expect(await survey().bar()).toBeNull();

    await survey().passTime(24);
    await running.addon.runNow();
    expect(await survey().shownBar()).toMatchObject({ text: "How do you like Firefox?" });
    expect((await survey().surveys())[surveyId]).toMatchObject({ timesShown: 2, outcome: "open" });
    expect((await survey().messaging()).map(({ event }) => event)).toEqual([
      "IMPRESSION",
      "LEARN_MORE",
      "CLICK_BUTTON",
      "IMPRESSION",
    ]);
  });

  it("dismissed with the bar's close button: a DISMISS event and the outcome, and Firefox's heartbeat ping", async () => {
    await survey().captureHeartbeatPing();
    await survey().click("close");
    await expect.poll(() => survey().bar(), POLL).toBeNull();
    await expect
      .poll(async () => (await survey().messaging()).map(({ event }) => event), POLL)
      .toEqual(["IMPRESSION", "LEARN_MORE", "CLICK_BUTTON", "IMPRESSION", "DISMISS"]);
    await expect.poll(async () => (await survey().surveys())[surveyId]?.outcome, POLL).toBe("dismissed");
    await expect
      .poll(() => survey().heartbeatPing(), POLL)
      .toMatchObject({ closed: expect.any(Number), voted: null, windowClosed: null });
  });

  it("ignored: an engagement-button survey expires after browser.uitour.surveyDuration and closes", async () => {
    const expiring = running.server.store.create(
      surveyRecipe("Expiring survey", {
        surveyId: "hb-e2e-expiring",
        message: "Would you take a short survey?",
        engagementButtonLabel: "Take it",
      }),
      true,
    ).id;
    await running.server.publish();
    await survey().inChrome(`Services.prefs.setIntPref("browser.uitour.surveyDuration", 3);`);
    await survey().passTime(25);
    await survey().captureHeartbeatPing();
    await running.addon.runNow();
    expect(await survey().shownBar()).toMatchObject({
      text: "Would you take a short survey?",
      stars: false,
      buttons: ["Take it"],
    });
    await running.addon.firefox.screenshotWindow(`${SCREENSHOTS}/survey-button.png`);

    await expect.poll(() => survey().bar(), POLL).toBeNull();
    await expect.poll(async () => (await survey().surveys())[expiring]?.outcome, POLL).toBe("expired");
    const events = (await survey().messaging()).filter(({ message_id }) => message_id === "hb-e2e-expiring");
    expect(events.map(({ event }) => event)).toEqual(["IMPRESSION", "EXPIRED"]);
    expect(await survey().heartbeatPing()).toMatchObject({
      surveyId: "hb-e2e-expiring",
      expired: expect.any(Number),
      closed: expect.any(Number),
      engaged: null,
    });
  });

  it("its window closed: an outcome of its own, not a dismissal (the survey shows in the top window)", async () => {
    const closing = running.server.store.create(
      surveyRecipe("Survey in a second window", { surveyId: "hb-e2e-window", message: "A question in a new window" }),
      true,
    ).id;
    // The first survey (xdays) would be due again and take the day's one showing.
    running.server.store.setEnabled(surveyId, false);
    await running.server.publish();
    // A second browser window becomes the top window; closing it leaves Firefox (and Marionette's window) running.
    await survey().inChrome(
      `const opened = OpenBrowserWindow();
       await new Promise((resolve) => Services.obs.addObserver(function observer(subject) {
         if (subject !== opened) return;
         Services.obs.removeObserver(observer, "browser-delayed-startup-finished");
         resolve();
       }, "browser-delayed-startup-finished"));
       const { BrowserWindowTracker } = ChromeUtils.importESModule("resource:///modules/BrowserWindowTracker.sys.mjs");
       if (BrowserWindowTracker.getTopWindow() !== opened) throw new Error("the new window is not the top window");`,
    );
    await survey().passTime(25);
    await survey().captureHeartbeatPing();
    await running.addon.runNow();
    expect(await survey().shownBar()).toMatchObject({ text: "A question in a new window" });
    await survey().inChrome(
      `const { BrowserWindowTracker } = ChromeUtils.importESModule("resource:///modules/BrowserWindowTracker.sys.mjs");
       const top = BrowserWindowTracker.getTopWindow();
       const inMarionettesWindow = window.gNotificationBox.allNotifications.some((bar) => bar.getAttribute("value").startsWith("heartbeat-"));
       if (top === window || inMarionettesWindow) throw new Error("the bar is not in the new window alone");
       top.close();`,
    );
    await expect.poll(async () => (await survey().surveys())[closing]?.outcome, POLL).toBe("window-closed");
    const events = (await survey().messaging()).filter(({ message_id }) => message_id === "hb-e2e-window");
    expect(events.map(({ event }) => event)).toEqual(["IMPRESSION", "WINDOW_CLOSED"]);
    await expect
      .poll(() => survey().heartbeatPing(), POLL)
      .toMatchObject({ surveyId: "hb-e2e-window", windowClosed: expect.any(Number), closed: null });
  });

  it("the QA console lists each survey's state, and shows a published survey now; a recipe outside the verified collection is refused", async () => {
    await survey().inChrome(`Services.prefs.setIntPref("browser.uitour.surveyDuration", 600);`);
    const readTable = `await new Promise((resolve) => {
         const ready = () => document.querySelectorAll("#surveys tr").length >= 3;
         if (ready()) return resolve();
         new MutationObserver(() => ready() && resolve()).observe(document.body, { childList: true, subtree: true });
       });
       return [...document.querySelectorAll("#surveys tr")].map((row) => [...row.cells].map((cell) => cell.textContent.trim()));`;
    const table = await running.addon.firefox.evalInExtensionPage<string[][]>(
      ADDON_ID,
      "pages/console.html",
      readTable,
    );
    // Recipe 1 was disabled, so it is no longer published; its state stays: answered 4 stars at its first showing,
    // dismissed at its second.
    expect(
      table.map(([recipe, id, , , answer, outcome, action]) => [recipe, id, answer!.split(",")[0], outcome, action]),
    ).toEqual([
      ["1 (no longer published)", "hb-e2e", "4 stars", "dismissed", ""],
      ["2 Expiring survey", "hb-e2e-expiring", "", "expired", "Show now"],
      ["3 Survey in a second window", "hb-e2e-window", "", "window-closed", "Show now"],
    ]);
    await expect(
      running.addon.firefox.evalInExtensionPage(
        ADDON_ID,
        "pages/console.html",
        `return browser.runtime.sendMessage({ type: "show-survey", recipeId: 1 });`,
      ),
    ).rejects.toThrow("recipe 1 is not in the verified collection");

    await running.addon.firefox.evalInExtensionPage(
      ADDON_ID,
      "pages/console.html",
      `await new Promise((resolve) => {
         const button = () => document.querySelector('#surveys tr[data-recipe-id="2"] button');
         if (button()) return resolve();
         new MutationObserver(() => button() && resolve()).observe(document.body, { childList: true, subtree: true });
       });
       document.querySelector('#surveys tr[data-recipe-id="2"] button').click();
       await new Promise((resolve) => new MutationObserver(resolve).observe(document.getElementById("surveys-status"), { childList: true, characterData: true, subtree: true }));`,
    );
    expect(await survey().shownBar()).toMatchObject({ text: "Would you take a short survey?", buttons: ["Take it"] });
    await expect
      .poll(async () => (await survey().surveys())[2], POLL)
      .toMatchObject({ timesShown: 2, outcome: "open" });
    await running.addon.firefox.evalInExtensionPage(
      ADDON_ID,
      "pages/console.html",
      `await new Promise((resolve) => {
         const shown = () => document.querySelector('#surveys tr[data-recipe-id="2"] .survey-outcome')?.textContent === "open";
         if (shown()) return resolve();
         new MutationObserver(() => shown() && resolve()).observe(document.body, { childList: true, subtree: true, characterData: true });
       });
       document.getElementById("surveys-heading").scrollIntoView();`,
    );
    await running.addon.firefox.screenshot(`${SCREENSHOTS}/console-surveys.png`, { full: false });
  });

  it("the server's recipe editor previews the survey bar, and follows the form as QA types", async () => {
    const firefox = running.addon.firefox;
    await firefox.navigate(`${running.server.url}/recipes/2`);
    const previewText = `await new Promise((resolve) => {
         const ready = () => !document.getElementById("heartbeat-preview").hidden;
         if (ready()) return resolve();
         new MutationObserver(() => ready() && resolve()).observe(document.body, { childList: true, subtree: true, attributes: true });
       });
       return [...document.getElementById("heartbeat-preview").children].map((child) => child.textContent.trim());`;
    expect(await firefox.evalInContent<string[]>(previewText)).toEqual([
      "Preview of the bar",
      "Would you take a short survey?Take it✕",
      "After an answer: the bar says the thanks message for 3 seconds.",
      "Thanks!✕",
    ]);
    // QA empties the button label and adds a learn-more link: stars and the link appear.
    const edited = await firefox.evalInContent<string[]>(
      `const field = (name) => {
         // A null value shows only its type choice: QA picks "string" first, as on the page.
         const type = document.querySelector('#arguments-form select[aria-label="Type of ' + name + '"]');
         if (type && type.value !== "string") {
           type.value = "string";
           type.dispatchEvent(new Event("change", { bubbles: true }));
         }
         const label = [...document.querySelectorAll("#arguments-form label")].find((candidate) => (candidate.querySelector("code")?.textContent ?? candidate.textContent.trim()) === name);
         return document.getElementById(label.htmlFor);
       };
       for (const [name, value] of [["engagementButtonLabel", ""], ["learnMoreMessage", "What is this?"], ["learnMoreUrl", "https://example.com/about"]]) {
         const control = field(name);
         control.value = value;
         control.dispatchEvent(new Event("input", { bubbles: true }));
       }
       return [...document.getElementById("heartbeat-preview").children].map((child) => child.textContent.trim());`,
    );
    expect(edited[1]).toBe("Would you take a short survey?What is this?☆☆☆☆☆✕");
    await firefox.screenshot(`${SCREENSHOTS}/server-editor-preview.png`);
  });

  it("the engagement button (the survey QA showed): thanks, CLICK_BUTTON ENGAGED, closed 3 s later; no post-answer URL, no tab", async () => {
    const tabsBefore = await survey().tabs();
    await survey().captureHeartbeatPing();
    await survey().click("button");
    await expect.poll(async () => (await survey().bar())?.text, POLL).toBe("Thanks!");
    await expect.poll(() => survey().bar(), POLL).toBeNull();
    expect(await survey().tabs()).toEqual(tabsBefore);
    const events = (await survey().messaging()).filter(({ message_id }) => message_id === "hb-e2e-expiring");
    expect(events.map(({ event, value }) => [event, value])).toEqual([
      ["IMPRESSION", "n/a"],
      ["EXPIRED", "n/a"],
      ["IMPRESSION", "n/a"],
      ["CLICK_BUTTON", "ENGAGED"],
    ]);
    await expect
      .poll(() => survey().heartbeatPing(), POLL)
      .toMatchObject({
        surveyId: "hb-e2e-expiring",
        engaged: expect.any(Number),
        score: null,
        closed: expect.any(Number),
      });
    expect((await survey().surveys())[2]).toMatchObject({ answer: { type: "button" }, outcome: "answered" });
  });
});

const STUDY = "heartbeat-three-branches";
const BRANCHES = ["control", "treatment-1", "treatment-2"] as const;

/** A user id that ratioSample puts in `control` of the three equal branches (the client is pinned to it). */
async function controlUserId(): Promise<string> {
  for (let index = 0; ; index++) {
    const userId = `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`;
    if ((await ratioSample(`${userId}-${STUDY}-branch`, [1, 1, 1])) === 0) return userId;
  }
}

describe("a survey bound to a three-branch study, for a client in control", async () => {
  const userId = await controlUserId();
  const running = useServerAndAddon("heartbeat-study", {
    prefs: { "extensions.recipeclient.user_id": userId },
    prepareServer: async (server) => {
      server.store.create(
        {
          name: "Three-branch study",
          action: "multi-preference-experiment",
          arguments: {
            slug: STUDY,
            userFacingName: "Three branches",
            userFacingDescription: "A survey per branch",
            isEnrollmentPaused: false,
            branches: BRANCHES.map((slug, index) => ({
              slug,
              ratio: 1,
              preferences: {
                "browser.urlbar.maxRichResults": {
                  preferenceType: "integer",
                  preferenceBranchType: "default",
                  preferenceValue: 11 + index,
                },
              },
            })),
          },
          filter_expression: "true",
          capabilities: [],
        },
        true,
      );
      await server.publish();
    },
    waitForFirstRun: true,
  });
  const survey = () => surveyDriver(running);

  it("shows control's survey with exposure before its impression, and one reach event for each other branch's survey", async () => {
    expect((await running.addon.studies()).preferenceExperiments).toEqual([
      expect.objectContaining({ slug: STUDY, branch: "control", expired: false }),
    ]);
    for (const branch of BRANCHES) {
      running.server.store.create(
        surveyRecipe(`Survey for ${branch}`, {
          surveyId: `hb-${branch}`,
          message: `A question for ${branch}`,
          repeatOption: "nag",
          study: { slug: STUDY, branch },
        }),
        true,
      );
    }
    await running.server.publish();
    await running.addon.runNow();

    const bar = await survey().shownBar();
    expect(bar.text).toBe("A question for control");
    await running.addon.firefox.screenshotWindow(`${SCREENSHOTS}/study-survey-bar.png`);
    const events = await survey().messaging();
    const summary = events.map(({ event, message_id, experiment, branch, impression_id }) => [
      event,
      message_id,
      experiment,
      branch,
      impression_id,
    ]);
    // The run takes the recipes in the changeset's order (newest first), so reach may come before or after.
    expect(summary.filter(([event]) => event !== "REACH")).toEqual([
      ["EXPOSURE", "hb-control", STUDY, "control", bar.id],
      ["IMPRESSION", "hb-control", STUDY, "control", bar.id],
    ]);
    expect(summary.filter(([event]) => event === "REACH").sort()).toEqual([
      ["REACH", "hb-treatment-1", STUDY, "treatment-1", "n/a"],
      ["REACH", "hb-treatment-2", STUDY, "treatment-2", "n/a"],
    ]);
    expect(await survey().gleanMessaging()).toEqual(events);
  });

  it("shown again in the same session (nag, unanswered, a day later): an impression, but no second exposure or reach", async () => {
    await survey().click("close");
    await expect.poll(() => survey().bar(), POLL).toBeNull();
    await survey().passTime(25);
    await running.addon.runNow();
    expect((await survey().shownBar()).text).toBe("A question for control");
    const events = (await survey().messaging()).map(({ event }) => event);
    expect(events.slice(4)).toEqual(["DISMISS", "IMPRESSION"]);
    expect(events.filter((event) => event === "EXPOSURE")).toHaveLength(1);
    expect(events.filter((event) => event === "REACH")).toHaveLength(2);
  });
});
