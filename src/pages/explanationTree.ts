/**
 * Renders a filter explanation (core/filterExplanation.ts) as a tree: each sub-expression with its value on
 * this client, the clauses that decided the result marked, branches never evaluated dimmed.
 */
import type { ExplainedNode, FilterExplanation, NodeOutcome } from "../core/index.js";
import { element } from "./dom.js";

function outcomeText(outcomes: NodeOutcome[]): string {
  if (outcomes.length === 0) return "not evaluated";
  const texts = outcomes.map((outcome) => ("error" in outcome ? `error: ${outcome.error}` : outcome.value));
  // A relative filter evaluates its condition once per element.
  return texts.length === 1 ? texts[0]! : `${texts.length} elements: ${texts.join(", ")}`;
}

function nodeItem(node: ExplainedNode): HTMLLIElement {
  const item = element("li", node.decisive ? "decisive" : node.outcomes.length === 0 ? "not-evaluated" : "");
  const failed = node.outcomes.some((outcome) => "error" in outcome);
  item.append(
    element("code", "", node.text),
    " = ",
    element("span", failed ? "value error" : "value", outcomeText(node.outcomes)),
  );
  if (node.decisive && node.children.length === 0 && node.kind !== "literal")
    item.append(element("span", "marker", " ← decided"));
  // Literals are their own value and stand in their parent's text: only the other parts get a line.
  const parts = node.children.filter((child) => child.kind !== "literal");
  if (parts.length > 0) {
    const list = element("ul");
    list.append(...parts.map(nodeItem));
    item.append(list);
  }
  return item;
}

/** The explanation as a block: the verdict, the attributes read, and the tree. */
export function explanationBlock(explanation: FilterExplanation): HTMLElement {
  const block = element("div", "explanation");
  const { result } = explanation;
  const verdict =
    "error" in result
      ? `The filter fails: ${result.error}`
      : result.truthy
        ? `The filter matches: its value is ${result.value}.`
        : `The filter does not match: its value is ${result.value}.`;
  block.append(element("p", "error" in result ? "error" : result.truthy ? "ok" : "", verdict));
  const attributes = explanation.attributesRead.map((name) => `normandy.${name}`).join(", ");
  block.append(
    element(
      "p",
      "note",
      attributes
        ? `Client attributes read: ${attributes}. Marked: the clauses that decided it.`
        : "It reads no client attribute.",
    ),
  );
  const tree = element("ul", "explanation-tree");
  tree.append(nodeItem(explanation.tree));
  block.append(tree);
  return block;
}
