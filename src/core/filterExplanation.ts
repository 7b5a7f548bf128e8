/**
 * Explained targeting: a filter expression as a tree of its sub-expressions, each with the value it had on
 * this client, and the clauses that decided the result marked. The values come from the evaluator the runner
 * uses (mozjexl's, watched node by node through `evaluateFilterObserved`), so an explanation cannot disagree
 * with a run over the same context. Explaining is never part of a run: the QA console asks for it.
 */
import {
  attributesReadByFilter,
  evaluateFilterObserved,
  operatorPrecedence,
  type FilterContext,
  type FilterOptions,
} from "./filterExpressions.js";
import { errorMessage } from "./errorMessage.js";
import type { MozjexlAst } from "./mozjexl.js";

/** One evaluation of a node: its value, shown as text, or the error it threw. */
export type NodeOutcome = { value: string; truthy: boolean } | { error: string };

export interface ExplainedNode {
  /** The sub-expression, written back as filter source. */
  text: string;
  kind: "literal" | "attribute" | "operator" | "transform" | "filter" | "conditional" | "array" | "object";
  /** The operator (`&&`, `==`, `!`, …) or transform name (`date`, `stableSample`, …), for those kinds. */
  name?: string;
  /**
   * Each time the evaluator reached this node, in order: once, usually; once per element inside a relative
   * filter (`list[.x > 1]`); never in a branch of `?:` that was not taken.
   */
  outcomes: NodeOutcome[];
  /** Whether this node's value decided its parent's, all the way up (the false clause of a false `&&`). */
  decisive: boolean;
  children: ExplainedNode[];
}

export interface FilterExplanation {
  expression: string;
  /** The filter's own outcome: the same value (or error) a run gets over the same context. */
  result: NodeOutcome;
  tree: ExplainedNode;
  /** The client attributes the expression names (`normandy.<name>`), sorted. */
  attributesRead: string[];
}

/** Values are shown up to this many characters, so that a tree of a large object stays readable. */
export const MAX_VALUE_TEXT = 200;

/**
 * Evaluates `expression` over `context` and explains it. A syntax error throws (FilterSyntaxError), as in
 * `evaluateFilter`; an evaluation error is the explanation's result, with the nodes that threw marked.
 */
export async function explainFilter(
  expression: string,
  context: FilterContext,
  options: FilterOptions = {},
): Promise<FilterExplanation> {
  const outcomes = new Map<MozjexlAst, Promise<NodeOutcome>[]>();
  const { ast, value } = evaluateFilterObserved(expression, context, options, (node, nodeValue) => {
    const list = outcomes.get(node) ?? [];
    list.push(nodeValue.then(valueOutcome, (error: unknown) => ({ error: errorMessage(error) })));
    outcomes.set(node, list);
  });
  const result = await value.then(valueOutcome, (error: unknown): NodeOutcome => ({ error: errorMessage(error) }));
  // mozjexl evaluates both sides of every operator, so nodes may still be settling when the root has failed.
  const settled = new Map<MozjexlAst, NodeOutcome[]>();
  for (const [node, list] of outcomes) settled.set(node, await Promise.all(list));
  const tree = explainNode(ast, settled);
  markDecisive(tree, true);
  return { expression, result, tree, attributesRead: [...attributesReadByFilter(expression)].sort() };
}

function valueOutcome(value: unknown): NodeOutcome {
  return { value: valueText(value), truthy: Boolean(value) };
}

/** A value as a person reads it: JSON where it has one, shortened past MAX_VALUE_TEXT characters. */
export function valueText(value: unknown): string {
  let text: string;
  if (value === undefined) text = "undefined";
  else if (typeof value === "function") text = "a function";
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? "Invalid Date" : `Date ${value.toISOString()}`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT - 1)}…` : text;
}

function explainNode(ast: MozjexlAst, outcomes: ReadonlyMap<MozjexlAst, NodeOutcome[]>): ExplainedNode {
  const node = (kind: ExplainedNode["kind"], children: MozjexlAst[], name?: string): ExplainedNode => ({
    text: sourceText(ast),
    kind,
    ...(name === undefined ? {} : { name }),
    outcomes: outcomes.get(ast) ?? [],
    decisive: false,
    children: children.map((child) => explainNode(child, outcomes)),
  });
  switch (ast.type) {
    case "Literal":
      return node("literal", []);
    case "Identifier":
      // `normandy.channel` is one attribute to a reader, not a chain of two lookups.
      return isPlainPath(ast) ? node("attribute", []) : node("attribute", ast.from ? [ast.from] : []);
    case "BinaryExpression":
      return node("operator", [ast.left, ast.right], ast.operator);
    case "UnaryExpression":
      return node("operator", [ast.right], ast.operator);
    case "ConditionalExpression":
      return node(
        "conditional",
        ast.consequent ? [ast.test, ast.consequent, ast.alternate] : [ast.test, ast.alternate],
      );
    case "FilterExpression":
      return node("filter", [ast.subject, ast.expr]);
    case "FunctionCall":
      return node("transform", ast.args, ast.name);
    case "ArrayLiteral":
      return node("array", ast.value);
    case "ObjectLiteral":
      return node("object", Object.values(ast.value));
  }
}

/** `a.b.c` made of identifiers only. */
function isPlainPath(ast: MozjexlAst): boolean {
  return ast.type === "Identifier" && (!ast.from || isPlainPath(ast.from));
}

/**
 * Marks the nodes whose value decided the result. A false `&&` was decided by its false operands, a true `||`
 * by its true ones; `?:` by its test and the branch taken; an error by the operands that threw (or, when none
 * did, by all of them: the node itself refused their values); anything else by all its operands.
 */
function markDecisive(node: ExplainedNode, decisive: boolean): void {
  node.decisive = decisive;
  const own = node.outcomes.length === 1 ? node.outcomes[0] : undefined;
  const deciders =
    decisive && own ? decidingChildren(node, own) : decisive && node.outcomes.length > 1 ? node.children : [];
  for (const child of node.children) markDecisive(child, deciders.includes(child));
}

function decidingChildren(node: ExplainedNode, own: NodeOutcome): ExplainedNode[] {
  const outcomeOf = (child: ExplainedNode) => (child.outcomes.length === 1 ? child.outcomes[0] : undefined);
  if ("error" in own) {
    const failed = node.children.filter((child) => child.outcomes.some((outcome) => "error" in outcome));
    return failed.length > 0 ? failed : node.children;
  }
  if (node.kind === "operator" && node.children.length === 2) {
    const operator = node.name;
    const sameTruth = node.children.filter((child) => {
      const outcome = outcomeOf(child);
      return outcome !== undefined && "truthy" in outcome && outcome.truthy === own.truthy;
    });
    if ((operator === "&&" && !own.truthy) || (operator === "||" && own.truthy)) return sameTruth;
  }
  if (node.kind === "conditional") return node.children.filter((child) => child.outcomes.length > 0);
  return node.children;
}

/** Writes a parsed expression back as filter source, with brackets only where precedence needs them. */
export function sourceText(ast: MozjexlAst): string {
  switch (ast.type) {
    case "Literal":
      return typeof ast.value === "string" ? stringLiteral(ast.value) : String(ast.value);
    case "Identifier": {
      if (!ast.from) return ast.relative ? `.${ast.value}` : ast.value;
      return `${operand(ast.from, Infinity)}.${ast.value}`;
    }
    case "BinaryExpression": {
      const precedence = operatorPrecedence(ast.operator);
      // Left-associative: an equal-precedence right operand needs brackets, a left one does not. mozjexl gives
      // `&&` and `||` one precedence (`a || b && c` is `(a || b) && c`), so a left operand with another
      // operator of the same precedence is bracketed too: the text then reads as it evaluates.
      const left =
        ast.left.type === "BinaryExpression" && ast.left.operator !== ast.operator ? precedence + 1 : precedence;
      return `${operand(ast.left, left)} ${ast.operator} ${operand(ast.right, precedence + 1)}`;
    }
    case "UnaryExpression":
      return `${ast.operator}${operand(ast.right, Infinity)}`;
    case "ConditionalExpression":
      return ast.consequent
        ? `${operand(ast.test, 1)} ? ${sourceText(ast.consequent)} : ${sourceText(ast.alternate)}`
        : `${operand(ast.test, 1)} ?: ${sourceText(ast.alternate)}`;
    case "FilterExpression":
      return `${operand(ast.subject, Infinity)}[${sourceText(ast.expr)}]`;
    case "FunctionCall": {
      const [subject, ...args] = ast.args;
      const call = `${ast.name}${args.length > 0 ? `(${args.map(sourceText).join(", ")})` : ""}`;
      return subject ? `${operand(subject, Infinity)}|${call}` : call;
    }
    case "ArrayLiteral":
      return `[${ast.value.map(sourceText).join(", ")}]`;
    case "ObjectLiteral":
      // Keys are identifiers in the filter language.
      return `{${Object.entries(ast.value)
        .map(([key, value]) => `${key}: ${sourceText(value)}`)
        .join(", ")}}`;
  }
}

/**
 * A string as a literal mozjexl reads back to it. Its lexer unescapes only escaped quotes of the literal's own
 * kind, and then only the first `\\` (mozjexlLexer.ts): so the first backslash is doubled, later ones are not.
 */
function stringLiteral(value: string): string {
  const quote = value.includes('"') && !value.includes("'") ? "'" : '"';
  const firstBackslash = value.indexOf("\\");
  const body = firstBackslash < 0 ? value : `${value.slice(0, firstBackslash)}\\${value.slice(firstBackslash)}`;
  return `${quote}${body.replaceAll(quote, `\\${quote}`)}${quote}`;
}

/** `ast` as an operand of something binding with `precedence`: bracketed when it binds more loosely. */
function operand(ast: MozjexlAst, precedence: number): string {
  const own =
    ast.type === "BinaryExpression"
      ? operatorPrecedence(ast.operator)
      : ast.type === "ConditionalExpression"
        ? 0
        : Infinity;
  const text = sourceText(ast);
  return own < precedence ? `(${text})` : text;
}
