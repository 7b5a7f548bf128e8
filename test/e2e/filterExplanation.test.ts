/**
 * Explained targeting in a real Firefox: after a run, "Explain filter" on a recipe of the QA console's runs
 * shows its filter as a tree of sub-expressions with their values on this client, the clause that made it
 * false marked with the client's value, and the same verdict as the run. The filter playground explains too.
 * Screenshots go to test-results/screenshots/.
 */
import { describe, expect, it } from "vitest";
import type { JsonValue } from "./harness/index.js";
import { waitForValue } from "./harness/waitForValue.js";
import { ADDON_ID } from "./support/addonUnderTest.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";

const CONSOLE_PAGE = "pages/console.html";
const MISMATCH_FILTER = 'normandy.channel == "no-such-channel" && normandy.version|versionCompare("100") >= 0';
const MATCH_FILTER = 'normandy.version|versionCompare("100") >= 0 || normandy.channel == "no-such-channel"';

/** Each line of the tree as the reader sees it, with "*" in front of the lines marked as deciding. */
const READ_TREE = `
  const lines = (root) => [...root.querySelectorAll(".explanation-tree li")].map((item) =>
    (item.classList.contains("decisive") ? "* " : "  ") +
    [...item.childNodes].filter((node) => node.nodeName !== "UL").map((node) => node.textContent).join(""));
`;

describe("explained targeting in the QA console", () => {
  const running = useServerAndAddon("filterExplanation", {
    prepareServer: async (server) => {
      server.store.create(
        {
          name: "Mismatch",
          action: "console-log",
          arguments: { message: "no" },
          filter_expression: MISMATCH_FILTER,
          capabilities: [],
        },
        true,
      );
      server.store.create(
        {
          name: "Match",
          action: "console-log",
          arguments: { message: "yes" },
          filter_expression: MATCH_FILTER,
          capabilities: [],
        },
        true,
      );
      await server.publish();
    },
    waitForFirstRun: true,
  });
  const inConsole = <T>(body: string, ...args: JsonValue[]) =>
    running.addon.firefox.evalInContent<T>(READ_TREE + body, ...args);
  /** Polls `probe`, an expression over `args`, in the console until it is truthy; returns its value. */
  const untilInConsole = <T>(what: string, probe: string, ...args: JsonValue[]) =>
    waitForValue(what, () => inConsole<T | false | null>(`return ${probe};`, ...args), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
  const channel = () =>
    running.addon.firefox.evalInChrome<string>(
      `return Services.prefs.getDefaultBranch("").getCharPref("app.update.channel");`,
    );

  it("names the false clause with this client's value, and agrees with the run", async () => {
    const report = await running.addon.runNow(); // leaves the QA console open
    const [mismatch, match] = report.recipes;
    expect([mismatch?.suitability, match?.suitability]).toEqual(["filter-mismatch", "filter-match"]);

    const rowOf = `[...document.querySelectorAll("#runs details[open] tbody tr")].find((tr) => tr.cells[0].textContent.startsWith(args[0] + " "))`;
    const explain = async (recipeId: number) => {
      await untilInConsole("the recipe's row", `Boolean(${rowOf})`, recipeId);
      await inConsole(`${rowOf}.querySelector("button.explain").click();`, recipeId);
      return untilInConsole<{ verdict: string; tree: string[] }>(
        "the explanation",
        `(() => { const block = ${rowOf}.nextElementSibling?.querySelector(".explanation");
                  return block && { verdict: block.querySelector("p").textContent, tree: lines(block) }; })()`,
        recipeId,
      );
    };

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
    expect(matchExplained.tree.filter((line) => line.startsWith("* "))[1]).toBe(
      `* normandy.version|versionCompare("100") >= 0 = true`,
    );
    expect(matchExplained.tree).toContain(`  normandy.channel == "no-such-channel" = false`);
  });

  it("the playground explains an expression that fails, marking the part that threw", async () => {
    await running.addon.firefox.navigate(await running.addon.firefox.extensionUrl(ADDON_ID, CONSOLE_PAGE));
    await inConsole(
      `document.getElementById("filter-expression").value = 'normandy.channel != "" && normandy.studies.pref["no-such-study"]|preferenceValue == "a"';
       document.getElementById("evaluate-filter").click();`,
    );
    const shown = await untilInConsole<{ status: string; tree: string[] }>(
      "the explanation",
      `(() => { const result = document.getElementById("filter-result");
                return result.querySelector(".explanation") && { status: result.firstChild.textContent, tree: lines(result) }; })()`,
    );
    expect(shown.status).toMatch(/^Error: /);
    // The clause that threw decided the outcome; the one that did not, did not.
    expect(shown.tree).toContain('  normandy.channel != "" = true');
    expect(shown.tree).toContainEqual(
      expect.stringMatching(
        /^\* normandy\.studies\.pref\["no-such-study"\]\|preferenceValue == "a" = error: .*preference name/,
      ),
    );
  });
});
