/**
 * What a new user meets first, in a real Firefox against the local server, with telemetry upload on as in
 * `npm start`'s profile: a preference study published through the admin API is enrolled, and the server's
 * client page shows that enrollment (branch, prefs, events) and the run, without opening the add-on; the QA
 * console's run headline says when a recipe of the run failed; the server refuses a recipe naming an add-on
 * package it does not have (at save, and at publish once the package is deleted) and a request body an
 * endpoint does not use, and the client never sees what was refused.
 */
import { describe, expect, it } from "vitest";
import type { RunReport } from "../../src/core/index.js";
import { ADDON_ID } from "./support/addonUnderTest.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";
import { buildTestAddon, uploadXpi } from "./support/testAddons.js";

const STUDY_PREF = "first.contact.e2e.value";
const SCREENSHOTS = "test-results/screenshots";

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

describe("first contact: the server page, the run headline and the server's refusals", () => {
  const running = useServerAndAddon("firstContact", {
    prefs: { "datareporting.healthreport.uploadEnabled": true, "telemetry.fog.test.localhost_port": -1 },
    waitForFirstRun: true,
  });

  const admin = async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const response = await fetch(`${running.server.url}/admin/api/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
  };
  const publishedTimestamps = async () => (await admin("GET", "snapshots")).body["timestamps"] as number[];
  const clientId = () =>
    running.addon.firefox.evalInChrome<string>(
      `return Services.prefs.getStringPref("extensions.recipeclient.client_id", "");`,
    );
  const clientPage = async () => (await fetch(`${running.server.url}/clients/${await clientId()}`)).text();
  /** The cells of each row of the table with `id` on the client page, tags stripped. */
  const tableRows = (page: string, id: string): string[][] => {
    const table = page.slice(page.indexOf(`id="${id}"`), page.indexOf("</table>", page.indexOf(`id="${id}"`)));
    return [...table.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].slice(1).map(([row]) =>
      [...row!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map(([, cell]) =>
        cell!
          .replace(/<br>/g, " | ")
          .replace(/<[^>]+>/g, "")
          .trim(),
      ),
    );
  };

  it("a preference study published through the API is enrolled, and the client page shows the enrollment and the run", async () => {
    const created = await admin("POST", "recipes", {
      name: "First contact study",
      action: "multi-preference-experiment",
      arguments: {
        slug: "first-contact-study",
        userFacingName: "First contact study",
        userFacingDescription: "Published as a new user would",
        isEnrollmentPaused: false,
        branches: [
          {
            slug: "treatment",
            ratio: 1,
            preferences: {
              [STUDY_PREF]: { preferenceType: "string", preferenceBranchType: "user", preferenceValue: "on" },
            },
          },
        ],
      },
      filter_expression: "true",
      enabled: true,
    });
    expect(created.status).toBe(201);
    expect((await admin("POST", "publish")).status).toBe(200);

    const report = await running.addon.runNow();
    expect(report.recipes).toContainEqual(
      expect.objectContaining({ id: created.body["id"], suitability: "filter-match", status: "success" }),
    );

    await expect
      .poll(async () => tableRows(await clientPage(), "client-enrollments")[0], { timeout: 15_000, interval: 250 })
      .toEqual([
        "preference study",
        "first-contact-study",
        "treatment",
        "active",
        `${STUDY_PREF} = &#34;on&#34; (user branch) |`,
        "enroll |",
      ]);
    await expect
      .poll(async () => tableRows(await clientPage(), "client-latest-run"), { timeout: 15_000, interval: 250 })
      .toContainEqual([
        `${created.body["id"]} First contact study`,
        "multi-preference-experiment",
        "filter-match",
        "success",
        "its filter matched; the action applied it",
      ]);
    await running.addon.firefox.navigate(`${running.server.url}/clients/${await clientId()}`);
    await running.addon.firefox.screenshot(`${SCREENSHOTS}/first-contact-client-page.png`);
  });

  it("the QA console's run headline says how many recipes failed and with which status", async () => {
    const xpi = await buildTestAddon(running.workDir, "first-contact-addon@recipe-client.test", "1.0");
    const { id: extensionApiId } = await uploadXpi(running.server, xpi);
    running.server.faults.set({ kind: "corrupt-xpi", extensionId: extensionApiId });
    const study = await admin("POST", "recipes", {
      name: "Corrupt add-on study",
      action: "branched-addon-study",
      arguments: {
        slug: "first-contact-corrupt",
        userFacingName: "Corrupt",
        userFacingDescription: "Its package does not match its hash",
        isEnrollmentPaused: false,
        branches: [{ slug: "treatment", ratio: 1, extensionApiId }],
      },
      filter_expression: "true",
      enabled: true,
    });
    expect((await admin("POST", "publish")).status).toBe(200);

    const [status, headline, headlineClass, report] = await running.addon.firefox.evalInExtensionPage<
      [string, string, string, RunReport]
    >(
      ADDON_ID,
      "pages/console.html",
      `const status = document.getElementById("run-status");
       const done = new Promise((resolve) => new MutationObserver(() => status.textContent.startsWith("Done") && resolve())
         .observe(status, { childList: true, characterData: true, subtree: true }));
       document.getElementById("run-now").click();
       await done;
       const report = (await browser.runtime.sendMessage({ type: "get-state" })).runs[0];
       // The list re-renders once the background page's state is back: wait for this run's summary.
       const summary = await new Promise((resolve) => {
         const check = () => {
           const found = document.querySelector("#runs details summary");
           if (found && found.textContent.includes(report.durationMs + " ms")) resolve(found); else setTimeout(check, 20);
         };
         check();
       });
       return [status.textContent, summary.textContent, summary.className, report];`,
    );

    expect(report.runnerStatus).toBe("success");
    expect(report.recipes).toContainEqual(expect.objectContaining({ id: study.body["id"], status: "apply_error" }));
    expect(status).toMatch(/^Done: success in \d+ ms, 2 recipes, 2 matched; 1 recipe failed \(1 apply_error\)\.$/);
    expect(headline).toMatch(/: runner success in \d+ ms, 2 recipes, 2 matched; 1 recipe failed \(1 apply_error\)$/);
    expect(headlineClass).toBe("run-failures");
    await running.addon.firefox.screenshot(`${SCREENSHOTS}/first-contact-console-failed-recipe.png`);

    running.server.faults.clear();
    expect((await admin("POST", `recipes/${study.body["id"]}/disable`)).status).toBe(200);
    expect((await admin("POST", "publish")).status).toBe(200);
  });

  it("refuses a recipe naming an add-on package it does not have: at save, and at publish once the package is deleted", async () => {
    const recipe = (extensionApiId: number) => ({
      name: "Add-on rollout",
      action: "addon-rollout",
      arguments: { slug: "first-contact-rollout", extensionApiId },
      filter_expression: "true",
      enabled: true,
    });
    const refused = await admin("POST", "recipes", recipe(999));
    expect(refused).toEqual({
      status: 400,
      body: expect.objectContaining({
        field: "arguments.extensionApiId",
        message: expect.stringContaining("there is no add-on package 999 on this server"),
      }),
    });

    const { id: extensionApiId } = await uploadXpi(
      running.server,
      await buildTestAddon(running.workDir, "first-contact-rollout@recipe-client.test", "1.0"),
    );
    const saved = await admin("POST", "recipes", recipe(extensionApiId));
    expect(saved.status).toBe(201);
    expect((await admin("DELETE", `extensions/${extensionApiId}`)).status).toBe(204);
    const before = await publishedTimestamps();

    const publish = await admin("POST", "publish");

    expect(publish.status).toBe(400);
    expect(publish.body["field"]).toBe("arguments.extensionApiId");
    expect(publish.body["message"]).toContain(
      `recipe ${saved.body["id"]} ("Add-on rollout") cannot be published: there is no add-on package ${extensionApiId}`,
    );
    expect(await publishedTimestamps()).toEqual(before);
    // The client's next run sees the collection as it was: the refused recipe never reaches it.
    const run = await running.addon.runNow();
    expect(run.collectionTimestamp).toBe(before.at(-1));
    expect(run.recipes.map((entry) => entry.id)).not.toContain(saved.body["id"]);
    expect((await admin("DELETE", `recipes/${saved.body["id"]}`)).status).toBe(204);
  });

  it("refuses a request body an endpoint does not use: a 50 MB body sent to publish publishes nothing", async () => {
    const recipe = await admin("POST", "recipes", {
      name: "Waiting",
      action: "console-log",
      arguments: { message: "not yet" },
      filter_expression: "true",
      enabled: true,
    });
    const before = await publishedTimestamps();

    const response = await fetch(`${running.server.url}/admin/api/publish`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: new Uint8Array(50 * 1024 * 1024),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "unexpected_body",
      message: "POST /admin/api/publish takes no request body; send it without one",
    });
    expect(await publishedTimestamps()).toEqual(before);
    const run = await running.addon.runNow();
    expect(run.collectionTimestamp).toBe(before.at(-1));
    expect(run.recipes.map((entry) => entry.id)).not.toContain(recipe.body["id"]);
  });
});
