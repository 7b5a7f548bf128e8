/**
 * The QA pages in a real Firefox, the whole loop: a preference study is written in the server page's form
 * (generated from the action's schema) and published from the recipe list; the add-on's studies page shows the
 * enrollment within 2 s (change notices on); the QA console evaluates filters against the live context and shows
 * the run, the context and the configuration; "Remove" on the studies page unenrolls (individual-opt-out) and
 * the server's telemetry view shows that event. Bad input on the server page is refused with the field or the
 * position named, and nothing is published. Screenshots of every page go to test-results/screenshots/.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { zipArchive } from "../unit/zipFixture.js";
import { type JsonValue, waitForValue } from "./harness/index.js";
import { ADDON_ID } from "./support/addonUnderTest.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";

const UPLOAD_ENABLED_PREF = "datareporting.healthreport.uploadEnabled";
const STUDY_PREF = "qa.pages.e2e.value";
const STUDY = { slug: "qa-pages-study", name: "QA pages study", branch: "treatment", value: "treatment-value" };
const SCREENSHOTS = "test-results/screenshots";

/**
 * Functions for scripts in the server's pages: find a generated field by its label (the property name) inside
 * a fieldset, set values as a user would (input and change events), click buttons by their text. Waiting is
 * the test's (`untilInPage`): these scripts only act and read.
 */
const PAGE_HELPERS = `
  const fieldset = (title, root = document) => {
    const found = [...root.querySelectorAll("fieldset")].find((set) => set.querySelector(":scope > legend")?.textContent.trim().startsWith(title));
    if (!found) throw new Error("no fieldset " + title);
    return found;
  };
  const field = (root, name) => {
    const label = [...root.querySelectorAll("label")].find((candidate) => (candidate.querySelector("code")?.textContent ?? candidate.textContent.trim()) === name);
    if (!label) throw new Error("no field labelled " + name);
    return document.getElementById(label.htmlFor);
  };
  const set = (control, value) => {
    if (control.type === "checkbox") control.checked = value; else control.value = value;
    control.dispatchEvent(new Event("input", { bubbles: true }));
    control.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const button = (root, text) => {
    const found = [...root.querySelectorAll("button")].find((candidate) => candidate.textContent.trim() === text);
    if (!found) throw new Error("no button " + text);
    return found;
  };
  const text = (id) => document.getElementById(id).textContent;
`;

/** Fills the editor's form, once it is built, with a one-branch multi-preference study (the branch slug and filter as given). */
const FILL_STUDY_FORM = `
  const [branchSlug, filter] = args;
  set(document.getElementById("field-name"), "${STUDY.name}");
  set(document.getElementById("field-action"), "multi-preference-experiment");
  set(document.getElementById("field-filter_expression"), filter);
  set(document.getElementById("field-enabled"), true);
  const form = document.getElementById("arguments-form");
  set(field(form, "slug"), "${STUDY.slug}");
  set(field(form, "userFacingName"), "${STUDY.name}");
  set(field(form, "userFacingDescription"), "Written in the server page's form");
  set(field(form, "isEnrollmentPaused"), false);
  button(form, "Add to branches").click();
  const branch = fieldset("branches #1");
  set(field(branch, "slug"), branchSlug);
  set(field(branch, "ratio"), "1");
  button(branch, "Add to preferences").click();
  const preference = fieldset("preferences #1", branch);
  set(field(preference, "name"), "${STUDY_PREF}");
  set(field(preference, "preferenceType"), "string");
  set(field(preference, "preferenceBranchType"), "user");
  set(preference.querySelector('select[aria-label="Type of preferenceValue"]'), "string");
  set(field(preference, "preferenceValue"), "${STUDY.value}");
`;

describe("QA pages, end to end", () => {
  const running = useServerAndAddon("qaPages", {
    notices: true,
    prefs: { [UPLOAD_ENABLED_PREF]: true, "intl.locale.requested": "en-US" },
    waitForFirstRun: true,
  });
  let serverTab: string;
  let studiesTab: string;

  const firefox = () => running.addon.firefox;
  const inPage = <T>(body: string, ...args: JsonValue[]) => firefox().evalInContent<T>(PAGE_HELPERS + body, ...args);
  /** Polls `probe`, an expression over the page helpers and `args`, in the content tab until it is truthy; returns its value. */
  const untilInPage = <T>(what: string, probe: string, args: JsonValue[] = [], timeoutMs = 5_000) =>
    waitForValue(what, () => inPage<T | false | null>(`return ${probe};`, ...args), { timeoutMs, intervalMs: 10 });
  const fillStudyForm = async (branchSlug: string, filter: string) => {
    await untilInPage("the arguments form", `!document.querySelector("#arguments-form .muted")`);
    await inPage(FILL_STUDY_FORM, branchSlug, filter);
  };
  const openServerPage = async (path: string) => {
    await firefox().switchToTab(serverTab);
    await firefox().navigate(`${running.server.url}${path}`);
  };
  const screenshot = (name: string) => firefox().screenshot(`${SCREENSHOTS}/${name}.png`);
  const studyPref = () =>
    firefox().evalInChrome<string | null>(`return Services.prefs.getStringPref(args[0], null);`, STUDY_PREF);
  const snapshotTimestamps = async () =>
    ((await (await fetch(`${running.server.url}/admin/api/snapshots`)).json()) as { timestamps: number[] }).timestamps;

  beforeAll(async () => {
    serverTab = await firefox().currentTab();
  });

  it("a study written in the server page's form and published from the list is enrolled, live on the studies page, within 2 s", async () => {
    await openServerPage("/recipes/new");
    await fillStudyForm(STUDY.branch, "normandy.userId != ''");
    await inPage(`document.getElementById("save").click();`);
    const saved = await untilInPage<string>("the save", `/^Saved:/.test(text("save-status")) && text("save-status")`);
    expect(saved).toMatch(/^Saved: recipe \d+, revision 1\.$/);
    await screenshot("server-editor-study");
    // Every control the schema produced has an accessible name.
    const unlabelled = await inPage<string[]>(
      `return [...document.querySelectorAll("input, select, textarea")].filter((control) => control.labels.length === 0 && !control.getAttribute("aria-label")).map((control) => control.outerHTML);`,
    );
    expect(unlabelled).toEqual([]);
    const [recipe] = running.server.store.list();
    expect(recipe).toMatchObject({
      name: STUDY.name,
      action: "multi-preference-experiment",
      enabled: true,
      arguments: {
        slug: STUDY.slug,
        isEnrollmentPaused: false,
        branches: [
          {
            slug: STUDY.branch,
            ratio: 1,
            preferences: {
              [STUDY_PREF]: { preferenceType: "string", preferenceBranchType: "user", preferenceValue: STUDY.value },
            },
          },
        ],
      },
    });

    await openServerPage("/");
    expect(await inPage<string>(`return document.getElementById("recipes-live").textContent;`)).toContain(
      "1 change is not published yet.",
    );
    studiesTab = await firefox().openTab();
    await firefox().navigate(await firefox().extensionUrl(ADDON_ID, "pages/studies.html"));
    expect(
      await untilInPage<boolean>(
        "the empty lists",
        `!document.getElementById("no-active-studies").hidden && !document.getElementById("no-completed-studies").hidden`,
      ),
    ).toBe(true);

    await firefox().switchToTab(serverTab);
    const publishedAt = Date.now();
    await inPage(`document.getElementById("publish").click();`);
    await firefox().switchToTab(studiesTab);
    await untilInPage(
      "the active study",
      `[...document.querySelectorAll("#active-studies .study-name")].some((name) => name.textContent === args[0])`,
      [STUDY.name],
      3_000,
    );
    const enrolledAfterMs = Date.now() - publishedAt;

    expect(enrolledAfterMs).toBeLessThanOrEqual(2000);
    expect(await studyPref()).toBe(STUDY.value);
    expect(await inPage<string>(`return document.querySelector("#active-studies .study").textContent;`)).toContain(
      "Active",
    );
    // Each pref of the study: the value it sets, the value now, the value before (user branch), changed by the user?
    expect(
      await inPage<string[][]>(
        `return [...document.querySelectorAll("#active-studies .study-prefs tbody tr")].map((row) => [...row.cells].map((cell) => cell.textContent));`,
      ),
    ).toEqual([
      [STUDY_PREF, JSON.stringify(STUDY.value), JSON.stringify(STUDY.value), "(no value) (user branch)", "No"],
    ]);
    await screenshot("studies-active");
    await firefox().switchToTab(serverTab);
    const status = await untilInPage<string>(
      "the publish status",
      `/^Published/.test(text("status")) && text("status")`,
    );
    expect(status).toMatch(/^Published 1 recipe \(collection timestamp \d+\); connected clients run now\.$/);
    expect(await inPage<string>(`return document.getElementById("recipes-live").textContent;`)).toContain(
      "Everything is published.",
    );
    await screenshot("server-list-published");
  });

  it("the QA console shows that run, evaluates filters against the live context with syntax errors located, and checks the connection", async () => {
    await firefox().switchToTab(serverTab);
    // "Run now" (through the console page) leaves the console open for the rest of the test.
    const report = await running.addon.runNow();
    expect(report.runnerStatus).toBe("success");
    expect(await inPage<string>(`return text("run-status");`)).toMatch(
      /^Done: success in \d+ ms, 1 recipe, 1 matched\.$/,
    );
    const runs = await untilInPage<string>(
      "the runs",
      `document.querySelector("#runs details[open]") && document.getElementById("runs").textContent`,
    );
    expect(runs).toContain(`${STUDY.name} (rev 1)`);
    expect(runs).toMatch(/filter-match\s*success/);
    expect(await inPage<number>(`return document.querySelectorAll("#runs details").length;`)).toBeGreaterThanOrEqual(3);

    const evaluate = async (expression: string) => {
      await inPage(
        `set(document.getElementById("filter-expression"), args[0]);
         document.getElementById("evaluate-filter").click();`,
        expression,
      );
      return untilInPage<string>(
        "the evaluation",
        `!/Evaluating/.test(text("filter-result")) && text("filter-result")`,
      );
    };
    // The live context includes the study just enrolled.
    expect(await evaluate(`normandy.studies.pref["${STUDY.slug}"].branch`)).toMatch(
      /^Matches: the value is truthy\.\s*"treatment"/,
    );
    expect(await evaluate("normandy.channel == 'no-such-channel'")).toMatch(/^Does not match/);
    const syntaxError = await evaluate("normandy.channel == )");
    expect(syntaxError).toMatch(/^Syntax error at position 20: Token \) \(closeParen\) unexpected/);
    expect(await inPage<number>(`return document.getElementById("filter-expression").selectionStart;`)).toBe(20);

    await inPage(`document.getElementById("refresh-context").click();`);
    const context = await untilInPage<string>(
      "the context",
      `/Computed/.test(text("context-status")) && document.getElementById("context").textContent`,
    );
    expect(context).toContain("normandy.userId");
    expect(context).toContain("normandy.channel");
    await inPage(`document.getElementById("check-connection").click();`);
    const connection = await untilInPage<string>(
      "the connection check",
      `/OK/.test(text("connection-status")) && text("connection-status")`,
    );
    expect(connection).toBe(`OK: ${running.server.config.remoteSettingsUrl}/ answers (recipe-server, HTTP API 1.22).`);
    expect(await inPage<string>(`return document.getElementById("config").textContent;`)).toContain(
      running.server.config.rootHash,
    );

    await evaluate(`normandy.studies.pref["${STUDY.slug}"].branch`);
    await screenshot("console");

    // The event log folds the routine rows and filters by method.
    const log = await inPage<{ folded: string; methods: string[] }>(
      `const folded = document.querySelector("#events tr.folded")?.textContent ?? "";
       const method = document.getElementById("events-method");
       set(method, "enroll");
       return { folded, methods: [...document.querySelectorAll("#events tr")].map((row) => row.cells[2].textContent) };`,
    );
    expect(log.folded).toMatch(/^\d+ uptake and performance rows? folded\. Show them$/);
    expect(log.methods).toEqual(["enroll"]);
  });

  it("Remove on the studies page unenrolls with individual-opt-out, and the server's telemetry view shows the unenroll event", async () => {
    await firefox().switchToTab(studiesTab);
    await inPage(`button(document.getElementById("active-studies"), "Remove").click();`);
    await untilInPage(
      "the completed study",
      `[...document.querySelectorAll("#completed-studies .study-name")].some((name) => name.textContent === args[0])`,
      [STUDY.name],
    );
    expect(await untilInPage<string>("the status", `/removed/.test(text("status")) && text("status")`)).toBe(
      `${STUDY.name} was removed.`,
    );
    expect(await inPage<boolean>(`return document.getElementById("no-active-studies").hidden;`)).toBe(false);
    expect(
      await untilInPage<string>(
        "the ending",
        `document.querySelector("#completed-studies .study-ending")?.textContent`,
      ),
    ).toMatch(/^Ended \(individual-opt-out\); last seen .+\.$/);
    expect(await studyPref()).toBeNull();
    await screenshot("studies-completed");

    // Turning studies off shows about:studies' "no new studies will run", live.
    const setStudiesEnabled = (enabled: boolean) =>
      firefox().evalInChrome(`Services.prefs.setBoolPref("app.shield.optoutstudies.enabled", args[0]);`, enabled);
    await setStudiesEnabled(false);
    await firefox().switchToTab(studiesTab);
    expect(
      await untilInPage<string>(
        "the disabled text",
        `/No new studies will run/.test(text("studies-info-text")) && text("studies-info-text")`,
      ),
    ).toBe("This is a list of studies that you have participated in. No new studies will run.");
    await screenshot("studies-disabled");
    await setStudiesEnabled(true);
    await firefox().switchToTab(studiesTab);
    await untilInPage("the enabled text", `/from time to time/.test(text("studies-info-text"))`);

    const [client] = running.server.intake.clients();
    expect(client).toBeDefined();
    const page = `/clients/${client!.clientId}?method=unenroll&object=preference_study`;
    // The unenroll event reaches the intake with the uploader's next batch: reload the page until it shows.
    const events = await waitForValue(
      "the unenroll event on the server's client page",
      async () => {
        await openServerPage(page);
        const shown = await inPage<string>(
          `return document.querySelector("#events-heading").parentElement.textContent;`,
        );
        return shown.includes("individual-opt-out") && shown;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(events).toContain(STUDY.slug);
    expect(events).toContain('"reason":"individual-opt-out"');
    expect(
      await inPage<string>(`return document.querySelector("#uptake-heading").parentElement.textContent;`),
    ).toContain("normandy/runner");
    await screenshot("server-client-telemetry");
  });

  it("bad input on the server page is refused with the field or position named, and nothing is saved or published", async () => {
    const recipesBefore = running.server.store.list().length;
    const publishedBefore = await snapshotTimestamps();
    await openServerPage("/recipes/new");

    // A schema violation: the branch slug's pattern. The message sits at the field, the summary is focused.
    await fillStudyForm("not a slug", "true");
    await inPage(`document.getElementById("save").click();`);
    await untilInPage("the error summary", `!document.getElementById("error-summary").hidden`);
    const schemaError = await inPage<{ summary: string; invalid: string; message: string; focused: string }>(
      `const slug = field(fieldset("branches #1"), "slug");
       const message = document.getElementById(slug.getAttribute("aria-describedby").split(" ").find((id) => id.startsWith("error-")));
       return { summary: text("error-summary"), invalid: slug.getAttribute("aria-invalid"), message: message.textContent, focused: document.activeElement.id };`,
    );
    expect(schemaError.summary).toContain('arguments.branches[0].slug: "not a slug" does not match the pattern');
    expect(schemaError.invalid).toBe("true");
    expect(schemaError.message).toMatch(/does not match the pattern/);
    expect(schemaError.focused).toBe("error-summary");
    await screenshot("server-editor-schema-error");

    // A filter syntax error, on "Save and publish": the position is named and selected; nothing is published.
    await inPage(
      `set(field(fieldset("branches #1"), "slug"), "treatment");
       set(document.getElementById("field-filter_expression"), "normandy.channel == )");
       document.getElementById("save-publish").click();`,
    );
    await untilInPage("the filter error", `/syntax error/.test(text("error-summary"))`);
    const filterError = await inPage<{ summary: string; selection: number; note: string }>(
      `const filter = document.getElementById("field-filter_expression");
       return { summary: text("error-summary"), selection: filter.selectionStart, note: filter.closest(".field").querySelector(".field-error").textContent };`,
    );
    expect(filterError.summary).toContain(
      "filter_expression has a syntax error at position 20: Token ) (closeParen) unexpected",
    );
    expect(filterError.selection).toBe(20);
    expect(filterError.note).toContain("normandy.channel == )\n" + " ".repeat(20) + "^");
    await screenshot("server-editor-filter-error");
    await inPage(`document.getElementById("check-filter").click();`);
    const checked = await untilInPage<string>(
      "the syntax check",
      `/Syntax error/.test(text("filter-status")) && text("filter-status")`,
    );
    expect(checked).toMatch(/^Syntax error at position 20: Token \) \(closeParen\) unexpected/);

    // Raw JSON: a syntax error names line and column; a schema violation names the path.
    const recipeJson = await inPage<{ arguments: Record<string, JsonValue> } & Record<string, JsonValue>>(
      `document.getElementById("tab-json").click();
       const json = document.getElementById("recipe-json");
       const recipe = JSON.parse(json.value);
       set(json, '{"name": "broken",\\n  "action": }');
       document.getElementById("save").click();
       return recipe;`,
    );
    const invalid = await untilInPage<string>(
      "the JSON error",
      `/not valid/.test(text("error-summary")) && text("error-summary")`,
    );
    const { slug: _slug, ...argumentsWithoutSlug } = recipeJson.arguments;
    await inPage(
      `set(document.getElementById("recipe-json"), JSON.stringify(args[0], null, 2));
       document.getElementById("save").click();`,
      { ...recipeJson, arguments: argumentsWithoutSlug, filter_expression: "true" },
    );
    const schema = await untilInPage<string>(
      "the schema error",
      `/arguments\\.slug/.test(text("error-summary")) && text("error-summary")`,
    );
    expect(invalid).toMatch(/The JSON is not valid: JSON\.parse: .* at line 2 column \d+ of the JSON data/);
    expect(schema).toContain('arguments.slug: missing required property "slug"');
    await screenshot("server-editor-json-error");

    expect(running.server.store.list()).toHaveLength(recipesBefore);
    expect(await snapshotTimestamps()).toEqual(publishedBefore);
  });

  it("the server page uploads a study add-on, and refuses a file that is not one, saying why", async () => {
    const xpi = zipArchive([
      {
        name: "manifest.json",
        content: JSON.stringify({
          manifest_version: 2,
          name: "QA pages add-on",
          version: "1.2",
          browser_specific_settings: { gecko: { id: "qa-pages@example.com" } },
        }),
      },
    ]);
    await openServerPage("/");
    const upload = async (fileName: string, bytes: Buffer) => {
      await inPage(
        `const input = document.getElementById("xpi-file");
         const files = new DataTransfer();
         files.items.add(new File([Uint8Array.from(atob(args[1]), (c) => c.charCodeAt(0))], args[0]));
         input.files = files.files;
         document.querySelector("#xpi-upload button").click();`,
        fileName,
        bytes.toString("base64"),
      );
      const status = await untilInPage<string>(
        "the upload",
        `!/Uploading/.test(text("xpi-status")) && text("xpi-status")`,
      );
      return {
        status,
        invalid: await inPage<string | null>(
          `return document.getElementById("xpi-file").getAttribute("aria-invalid");`,
        ),
      };
    };

    const refused = await upload("notes.xpi", Buffer.from("not a zip at all"));
    expect(refused).toEqual({
      status: "notes.xpi was not stored: the upload is not a zip archive (an .xpi is one)",
      invalid: "true",
    });
    await screenshot("server-xpi-refused");
    const stored = await upload("qa-pages.xpi", xpi);
    expect(stored.status).toMatch(/^qa-pages\.xpi: qa-pages@example\.com 1\.2 stored as extensionApiId \d+\.$/);
    expect(stored.invalid).toBeNull();
    expect(await inPage<string>(`return document.getElementById("extensions-live").textContent;`)).toContain(
      "qa-pages@example.com",
    );
    await screenshot("server-xpi-uploaded");
  });

  it("the recipe list duplicates, enables, disables and deletes through its buttons", async () => {
    const original = running.server.store.list()[0]!;
    await openServerPage("/");
    const command = async (name: string, id: number) => {
      const before = await inPage<string>(
        `const before = text("status");
         document.querySelector('[data-command="' + args[0] + '"][data-recipe-id="' + args[1] + '"]').click();
         return before;`,
        name,
        id,
      );
      return untilInPage<string>("the status", `text("status") !== args[0] && text("status")`, [before]);
    };

    expect(await command("duplicate", original.id)).toMatch(
      new RegExp(`^Recipe ${original.id} duplicated as recipe \\d+, disabled\\.$`),
    );
    const copy = running.server.store.list().at(-1)!;
    expect(copy).toMatchObject({ name: `${original.name} (copy)`, enabled: false, arguments: original.arguments });
    expect(await inPage<string>(`return document.activeElement.getAttribute("href");`)).toBe(`/recipes/${copy.id}`);

    expect(await command("enable", copy.id)).toBe(
      `Recipe ${copy.id} enabled. Publish to deliver the change to clients.`,
    );
    expect(running.server.store.get(copy.id)?.enabled).toBe(true);
    // The button that was pressed became "Disable" and keeps the focus.
    expect(await inPage<string>(`return document.activeElement.dataset.command;`)).toBe("disable");
    expect(await command("disable", copy.id)).toBe(
      `Recipe ${copy.id} disabled. Publish to deliver the change to clients.`,
    );
    await screenshot("server-list-buttons");

    // Delete asks for confirmation first (a confirm dialog, accepted here).
    await inPage(
      `setTimeout(() => document.querySelector('[data-command="delete"][data-recipe-id="' + args[0] + '"]').click(), 0);`,
      copy.id,
    );
    await vi.waitFor(() => firefox().acceptDialog(), { timeout: 2_500, interval: 50 });
    expect(await untilInPage<string>("the deletion", `/deleted/.test(text("status")) && text("status")`)).toBe(
      `Recipe ${copy.id} deleted. Publish to remove it from clients.`,
    );
    expect(running.server.store.get(copy.id)).toBeUndefined();
  });

  it("the toolbar button's popup shows the state at a glance, runs, and opens the studies page and the QA console", async () => {
    await firefox().switchToTab(serverTab);
    await firefox().navigate(await firefox().extensionUrl(ADDON_ID, "pages/popup.html"));
    await untilInPage("the last run", `!/Loading/.test(text("last-run"))`);
    const glance = await inPage<string[]>(`return [text("client-status"), text("last-run"), text("enrollments")];`);
    expect(glance[0]).toBe("Running: recipes are fetched, verified and applied.");
    expect(glance[1]).toMatch(/\(\w+\): success, \d+ recipes?\. No failures\.$/);
    expect(glance[2]).toBe("No active study or rollout.");
    await inPage(`button(document.body, "Run now").click();`);
    expect(await untilInPage<string>("the run", `/^Done/.test(text("run-status")) && text("run-status")`)).toBe(
      "Done: success.",
    );
    // The run just made is the last run now.
    expect(
      await untilInPage<string>("the new last run", `/\\(manual\\)/.test(text("last-run")) && text("last-run")`),
    ).toMatch(/success/);
    await screenshot("popup");
    const links = await inPage<string[]>(`return [...document.querySelectorAll("a")].map((link) => link.textContent);`);
    expect(links).toEqual(["Studies", "QA console"]);
    const studiesUrl = await firefox().extensionUrl(ADDON_ID, "pages/studies.html");
    const studiesTabs = () =>
      firefox().evalInChrome<number>(
        `return gBrowser.tabs.filter((tab) => tab.linkedBrowser.currentURI.spec === args[0]).length;`,
        studiesUrl,
      );
    const before = await studiesTabs();
    await inPage(`document.querySelector("a").click();`);
    await expect.poll(studiesTabs, { timeout: 5_000, interval: 50 }).toBeGreaterThan(before);
    const manifestAction = await firefox().evalInChrome<{ popup: string } | null>(
      `const extension = WebExtensionPolicy.getByID(args[0]).extension;
       return extension.manifest.browser_action ? { popup: extension.manifest.browser_action.default_popup } : null;`,
      ADDON_ID,
    );
    expect(manifestAction?.popup).toBe(await firefox().extensionUrl(ADDON_ID, "pages/popup.html"));
  });
});
