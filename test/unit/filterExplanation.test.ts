/**
 * Explained targeting (filterExplanation.ts): the explanation's result is the filter's own outcome for every
 * corpus expression, its sub-expressions are written back as source that evaluates the same, and the clauses
 * that decided the result are the ones marked.
 */
import { describe, expect, test } from "vitest";
import {
  evaluateFilter,
  explainFilter,
  FilterSyntaxError,
  valueText,
  type ExplainedNode,
  type FilterContext,
  type NodeOutcome,
} from "../../src/core/index.js";
import { FILTER_CONTEXT, FILTER_CORPUS } from "../e2e/fixtures/filterCorpus.js";
import { filterCorpusPrefs } from "../fakes/filterCorpusPrefs.js";

const options = { prefs: filterCorpusPrefs() };
const parses = (expression: string) =>
  FILTER_CORPUS.some((entry) => entry.expression === expression && entry.group !== "malformed");
const EXPRESSIONS = FILTER_CORPUS.filter((entry) => parses(entry.expression)).map((entry) => entry.expression);

/** What a run gets for the filter, in the explanation's terms. */
async function runOutcome(expression: string, context: FilterContext): Promise<NodeOutcome> {
  try {
    const value = await evaluateFilter(expression, context, options);
    return { value: valueText(value), truthy: Boolean(value) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function nodes(tree: ExplainedNode): ExplainedNode[] {
  return [tree, ...tree.children.flatMap(nodes)];
}

const find = (tree: ExplainedNode, text: string) => nodes(tree).find((node) => node.text === text);

describe("an explanation agrees with the run", () => {
  test("for every corpus expression, its result is evaluateFilter's outcome, before and after explaining", async () => {
    expect(EXPRESSIONS.length).toBeGreaterThan(100);
    for (const expression of EXPRESSIONS) {
      const before = await runOutcome(expression, FILTER_CONTEXT);
      const explanation = await explainFilter(expression, FILTER_CONTEXT, options);
      expect(explanation.result, expression).toEqual(before);
      expect(await runOutcome(expression, FILTER_CONTEXT), expression).toEqual(before);
    }
  });

  test("every sub-expression's text is source that evaluates to the value shown for it", async () => {
    let checked = 0;
    for (const expression of EXPRESSIONS) {
      const { tree } = await explainFilter(expression, FILTER_CONTEXT, options);
      for (const node of nodes(tree)) {
        // Relative sub-expressions (`.x` inside a filter) only mean something inside their filter.
        if (node.outcomes.length !== 1 || /(^|[^\w\]")])\./.test(node.text)) continue;
        expect(await runOutcome(node.text, FILTER_CONTEXT), `${node.text} (in ${expression})`).toEqual(
          node.outcomes[0],
        );
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  test("a syntax error throws as evaluateFilter's does, with its position", async () => {
    await expect(explainFilter('normandy.channel == "release" &&', FILTER_CONTEXT)).rejects.toBeInstanceOf(
      FilterSyntaxError,
    );
  });
});

describe("the clauses that decided the result", () => {
  const context = { normandy: { channel: "beta", version: "128.0", locale: "de", country: "DE" } };

  test("a false && is decided by its false clause, whose attribute and value are named", async () => {
    const explanation = await explainFilter('normandy.channel == "release" && normandy.locale == "de"', context);
    expect(explanation.result).toEqual({ value: "false", truthy: false });
    expect(explanation.attributesRead).toEqual(["channel", "locale"]);
    const [channelClause, localeClause] = explanation.tree.children;
    expect(channelClause).toMatchObject({
      text: 'normandy.channel == "release"',
      decisive: true,
      outcomes: [{ value: "false", truthy: false }],
    });
    expect(localeClause).toMatchObject({
      text: 'normandy.locale == "de"',
      decisive: false,
      outcomes: [{ value: "true", truthy: true }],
    });
    expect(channelClause!.children[0]).toMatchObject({
      text: "normandy.channel",
      kind: "attribute",
      decisive: true,
      outcomes: [{ value: '"beta"' }],
    });
    expect(channelClause!.children[1]).toMatchObject({ text: '"release"', kind: "literal", decisive: true });
  });

  test("a true || is decided by its true clauses only; a true && by all of them", async () => {
    const either = await explainFilter('normandy.country in ["US", "CA"] || normandy.locale == "de"', context);
    expect(either.tree.children.map((child) => child.decisive)).toEqual([false, true]);
    const both = await explainFilter('normandy.country == "DE" && normandy.locale == "de"', context);
    expect(both.tree.children.map((child) => child.decisive)).toEqual([true, true]);
  });

  test("precedence is kept in the text: brackets only where the tree needs them", async () => {
    const explanation = await explainFilter(
      '(normandy.channel == "beta" || normandy.channel == "nightly") && !(normandy.locale in ["en-US"])',
      context,
    );
    expect(explanation.tree.text).toBe(
      '(normandy.channel == "beta" || normandy.channel == "nightly") && !(normandy.locale in ["en-US"])',
    );
    expect(explanation.result).toMatchObject({ truthy: true });
  });

  test("transforms show their input and output; ?: marks the branch taken", async () => {
    const explanation = await explainFilter('normandy.version|versionCompare("120") >= 0 ? "new" : "old"', context);
    const transform = find(explanation.tree, 'normandy.version|versionCompare("120")');
    expect(transform).toMatchObject({ kind: "transform", name: "versionCompare", outcomes: [{ value: "1" }] });
    expect(transform!.children[0]).toMatchObject({ text: "normandy.version", outcomes: [{ value: '"128.0"' }] });
    expect(explanation.tree.children.map((child) => [child.text, child.decisive, child.outcomes.length])).toEqual([
      ['normandy.version|versionCompare("120") >= 0', true, 1],
      ['"new"', true, 1],
      ['"old"', false, 0],
    ]);
  });

  test("an error is the result, and the clause that threw is marked", async () => {
    const explanation = await explainFilter('normandy.locale == "de" && normandy.missing.deeper == 1', {
      normandy: { locale: "de", missing: null },
    });
    expect(explanation.result).toHaveProperty("error");
    const [fine, failing] = explanation.tree.children;
    expect(fine!.decisive).toBe(false);
    expect(failing).toMatchObject({ decisive: true });
    expect(failing!.outcomes[0]).toHaveProperty("error");
  });

  test("a relative filter shows one outcome per element", async () => {
    const explanation = await explainFilter("normandy.list[.n > 1]", {
      normandy: { list: [{ n: 1 }, { n: 2 }, { n: 3 }] },
    });
    expect(explanation.result).toEqual({ value: '[{"n":2},{"n":3}]', truthy: true });
    expect(
      find(explanation.tree, ".n > 1")!.outcomes.map((outcome) => ("value" in outcome ? outcome.value : outcome.error)),
    ).toEqual(["false", "true", "true"]);
  });

  test("long values are shortened for reading", () => {
    expect(valueText("x".repeat(1000))).toHaveLength(200);
    expect(valueText(undefined)).toBe("undefined");
    expect(valueText(new Date(0))).toBe("Date 1970-01-01T00:00:00.000Z");
  });
});
