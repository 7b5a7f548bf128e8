/**
 * Explained targeting in a real Firefox: after a run, "Explain filter" on a recipe of the QA console's runs
 * shows its filter as a tree of sub-expressions with their values on this client, the clause that made it
 * false marked with the client's value, and the same verdict as the run. The filter playground explains too.
 * Screenshots go to test-results/screenshots/.
 */
import { describe, expect, it } from "vitest";
import type { JsonValue } from "./harness/index.js";
import { ADDON_ID } from "./support/addonUnderTest.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";

const CONSOLE_PAGE = "pages/console.html";
const MISMATCH_FILTER = 'normandy.channel == "no-such-channel" && normandy.version|versionCompare("100") >= 0';
const MATCH_FILTER = 'normandy.version|versionCompare("100") >= 0 || normandy.channel == "no-such-channel"';

/** Waits in the page for `probe` to give a truthy value. */
const WAIT_FOR = `
  const waitFor = (probe, what, timeoutMs = 10000) => new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const value = probe();
      if (value) resolve(value);
      else if (Date.now() - started > timeoutMs) reject(new Error("timed out waiting for " + what));
      else setTimeout(check, 20);
    };
    check();
  });
`;

/** Each line of the tree as the reader sees it, with "*" in front of the lines marked as deciding. */
const READ_TREE = `
  const lines = (root) => [...root.querySelectorAll(".explanation-tree li")].map((item) =>
    (item.classList.contains("decisive") ? "* " : "  ") +
    [...item.childNodes].filter((node) => node.nodeName !== "UL").map((node) => node.textContent).join(""));
`;

describe("explained targeting in the QA console", () => {
  const running = useServerAndAddon("filterExplanation", {
    prepareServer: async (server) => {
      server.store.create({ name: "Mismatch", action: "console-log", arguments: { message: "no" }, filter_expression: MISMATCH_FILTER, capabilities: [] }, true);
      server.store.create({ name: "Match", action: "console-log", arguments: { message: "yes" }, filter_expression: MATCH_FILTER, capabilities: [] }, true);
      await server.publish();
    },
    waitForFirstRun: true,
  });
  const inConsole = <T>(body: string, ...args: JsonValue[]) => running.addon.firefox.evalInContent<T>(WAIT_FOR + READ_TREE + body, ...args);
  const channel = () => running.addon.firefox.evalInChrome<string>(`return Services.prefs.getDefaultBranch("").getCharPref("app.update.channel");`);

  it("names the false clause with this client's value, and agrees with the run", async () => {
    const report = await running.addon.runNow(); // leaves the QA console open
    const [mismatch, match] = report.recipes;
    expect([mismatch?.suitability, match?.suitability]).toEqual(["filter-mismatch", "filter-match"]);

    const explain = (recipeId: number) =>
      inConsole<{ verdict: string; tree: string[] }>(
        `const row = await waitFor(() => [...document.querySelectorAll("#runs details[open] tbody tr")].find((tr) => tr.cells[0].textContent.startsWith(args[0] + " ")), "the recipe's row");
         row.querySelector("button.explain").click();
         const block = await waitFor(() => row.nextElementSibling?.querySelector(".explanation"), "the explanation");
         return { verdict: block.querySelector("p").textContent, tree: lines(block) };`,
        recipeId,
      );

    const mismatchExplained = await explain(mismatch!.id);
    expect(mismatchExplained.verdict).toBe("The filter does not match: its value is false.");
    const clientChannel = JSON.stringify(await channel());
    expect(mismatchExplained.tree).toEqual([
      `* ${MISMATCH_FILTER} = false`,
      `* normandy.channel == "no-such-channel" = false`,
      `* normandy.channel = ${clientChannel} ← decided`,
      `  normandy.version|versionCompare("100") >= 0 = true`,
      `  normandy.version|versionCompare("100") = 1`,
      expect.stringMatching(/^ {2}normandy\.version = "\d+\.[\d.]+(esr)?"$/),
    ]);
    await running.addon.firefox.screenshot("test-results/screenshots/console-explanation.png");

    const matchExplained = await explain(match!.id);
    expect(matchExplained.verdict).toBe("The filter matches: its value is true.");
    // A true || was decided by its true clause alone.
    expect(matchExplained.tree.filter((line) => line.startsWith("* "))[1]).toBe(`* normandy.version|versionCompare("100") >= 0 = true`);
    expect(matchExplained.tree).toContain(`  normandy.channel == "no-such-channel" = false`);
  });

  it("the playground explains an expression that fails, marking the part that threw", async () => {
    await running.addon.firefox.navigate(await running.addon.firefox.extensionUrl(ADDON_ID, CONSOLE_PAGE));
    const shown = await inConsole<{ status: string; tree: string[] }>(
      `const input = document.getElementById("filter-expression");
       input.value = 'normandy.channel != "" && normandy.studies.pref["no-such-study"]|preferenceValue == "a"';
       document.getElementById("evaluate-filter").click();
       const result = document.getElementById("filter-result");
       await waitFor(() => result.querySelector(".explanation"), "the explanation");
       return { status: result.firstChild.textContent, tree: lines(result) };`,
    );
    expect(shown.status).toMatch(/^Error: /);
    // The clause that threw decided the outcome; the one that did not, did not.
    expect(shown.tree).toContain('  normandy.channel != "" = true');
    expect(shown.tree).toContainEqual(expect.stringMatching(/^\* normandy\.studies\.pref\["no-such-study"\]\|preferenceValue == "a" = error: .*preference name/));
  });
});
