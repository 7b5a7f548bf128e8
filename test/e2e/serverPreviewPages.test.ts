/**
 * The server's pages for "Run one recipe here", in a real browser: the recipe editor's "Sign a preview" signs
 * the saved version into the preview collection and says so (or asks to save first, or names the invalid
 * field), and the client page marks an enrollment QA forced from the add-on's console. Screenshots go to
 * test-results/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecipesChangeset } from "../../server/changeset.js";
import type { RunningRecipeServer } from "../../server/recipeServer.js";
import {
  CONSOLE_LOG_RECIPE,
  fetchJson,
  forcedStudyEvents,
  intakeBatch,
  postJson,
  useTestServers,
} from "../unit/serverHarness.js";
import { type Firefox, type JsonValue, launchFirefox, waitForValue } from "./harness/index.js";

const SCREENSHOTS = "test-results/screenshots";
const CLIENT = "2d7f9c1e-4b3a-4e8d-9f6c-5a1b0e2d3c4f";
const ENROLLMENT = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e";

describe("server pages for previews, in Firefox", () => {
  const servers = useTestServers();
  let firefox: Firefox;

  beforeAll(async () => {
    firefox = await launchFirefox({ name: "serverPreviewPages", prefs: { "intl.locale.requested": "en-US" } });
  });
  afterAll(async () => {
    await firefox?.dispose();
  });

  const text = (id: string) =>
    firefox.evalInContent<string>(`return document.getElementById(args[0]).textContent;`, id);
  /** Polls the text of element `id` until it matches `pattern`; returns it. */
  const untilText = (id: string, pattern: RegExp) =>
    waitForValue(`#${id} to match ${pattern}`, async () => pattern.test(await text(id)) && text(id), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
  const inPage = (body: string, ...args: JsonValue[]) => firefox.evalInContent<unknown>(body, ...args);
  const previews = async (server: RunningRecipeServer) =>
    (
      await fetchJson<RecipesChangeset>(
        `${server.url}/v1/buckets/main-preview/collections/normandy-recipes-capabilities/changeset`,
      )
    ).body.changes;
  const openEditor = async (server: RunningRecipeServer, id: number) => {
    await firefox.navigate(`${server.url}/recipes/${id}`);
    await waitForValue("the loaded recipe", () => inPage(`return document.getElementById("field-name").value !== "";`));
  };

  it("signs the saved version on request, asks to save unsaved edits first, and names an invalid field", async () => {
    const server = await servers.start();
    const created = await postJson<{ id: number }>(`${server.url}/admin/api/recipes`, {
      ...CONSOLE_LOG_RECIPE,
      name: "Greet QA",
      filter_expression: "normandy.channel == 'release'",
    });
    await openEditor(server, created.body.id);

    await inPage(`const name = document.getElementById("field-name");
      name.value = "Greet QA, edited";
      name.dispatchEvent(new Event("input", { bubbles: true }));
      document.getElementById("sign-preview").click();`);
    expect(await untilText("preview-status", /^Save first/)).toContain("unsaved edits");
    expect(await previews(server)).toEqual([]);

    await inPage(`document.getElementById("save").click();`);
    await untilText("save-status", /^Saved: recipe \d+, revision 2/);
    await inPage(`document.getElementById("sign-preview").click();`);
    const signed = await untilText("preview-status", /^Signed draft/);
    expect(signed).toMatch(
      /^Signed draft revision 2 into the preview collection at .+\. Run it on a client from the add-on's QA console → Run here\.$/,
    );
    expect((await previews(server)).map((record) => [record.recipe.name, record.recipe.revision_id])).toEqual([
      ["Greet QA, edited", "2"],
    ]);
    await firefox.screenshot(`${SCREENSHOTS}/server-editor-preview.png`);

    // A draft stored before a check existed: the field is named, and nothing more is signed.
    const broken = server.store.create({ ...CONSOLE_LOG_RECIPE, capabilities: [], filter_expression: "1 +" }, false);
    await openEditor(server, broken.id);
    await inPage(`document.getElementById("sign-preview").click();`);
    expect(await untilText("preview-status", /^No preview signed/)).toContain("filter_expression");
    expect(await text("error-summary")).toContain(`recipe ${broken.id} ("Say hello") cannot be signed as a preview`);
    expect(await previews(server)).toHaveLength(1);
    await firefox.screenshot(`${SCREENSHOTS}/server-editor-preview-refused.png`);
  });

  it("marks on the client page an enrollment QA forced, and QA's undo as its end", async () => {
    const server = await servers.start();
    const reply = await postJson(
      server.config.intakeUrl,
      intakeBatch(CLIENT, [
        ...forcedStudyEvents(1000, "first-look", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "FILTER_BYPASSED", 1500),
        ...forcedStudyEvents(2000, "new-tab-study", ENROLLMENT, "BRANCH_CHOSEN"),
      ]),
    );
    expect(reply.status).toBe(201);

    await firefox.navigate(`${server.url}/clients/${CLIENT}`);
    const rows = await firefox.evalInContent<string[]>(
      `return [...document.querySelectorAll("#client-enrollments tbody tr")].map((row) => row.cells[3].innerText.replace(/\\s+/g, " "));`,
    );
    expect(rows).toEqual([
      "active forced by QA in a chosen branch",
      "undone by QA from the add-on's console forced by QA with its filter bypassed",
    ]);
    await firefox.screenshot(`${SCREENSHOTS}/server-client-forced-enrollment.png`);
  });
});
