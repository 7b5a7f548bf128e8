/**
 * mozjexl, the Jexl fork Firefox evaluates filter expressions with, built from jexl 2.3: jexl's grammar,
 * parser and evaluator, adjusted where the two differ (found by running both on the same expressions;
 * see test/e2e/filterConformance.test.ts):
 * - `&&` and `||` evaluate both operands (mozjexl uses Promise.all), so an error on either side throws;
 *   jexl 2 short-circuits.
 * - `in` tests array membership with `==` (`2 in ["2"]` is true); jexl 2 uses `===`.
 * - Lexing: ASCII identifiers only, and mozjexl's string-literal rule (see `mozjexlLexer.ts`).
 * - `name(...)` is a syntax error (jexl 2 would call a function).
 * - Inside a filter, once a leading dot has made an identifier relative (`[.a > b]`), later identifiers
 *   of the same (sub-)expression without a dot are relative too (`b` is read from the element): mozjexl
 *   never clears that flag. A new sub-expression, e.g. `(b)`, starts clear.
 * - `a.b` throws when `a` is null (jexl 2 yields undefined); undefined stays undefined and an array
 *   reads its first element in both.
 * - `a[...]` on an undefined `a` is undefined (jexl 2 throws for an index, yields [] for a filter).
 *
 * One deliberate difference: brackets nested more than MAX_NESTING deep are a syntax error. The parser
 * hands every token down through one sub-parser per open bracket, so its time grows with the square of the
 * nesting (3,000 levels: 3 s; 30,000: minutes, synchronously, a run frozen by one recipe); real filters nest
 * a few levels.
 */
import jexlPackage from "jexl";
import Evaluator from "jexl/dist/evaluator/Evaluator.js";
import Parser, { type JexlAst, type JexlGrammar, type JexlToken, type JexlTransform } from "jexl/dist/parser/Parser.js";
import { states } from "jexl/dist/parser/states.js";
import { FilterSyntaxError } from "./filterSyntaxError.js";
import { MozjexlLexer } from "./mozjexlLexer.js";
import { settlementOf } from "./settledPromise.js";

export type MozjexlAst = JexlAst;

/** The deepest bracket nesting (`(`, `[`, `{`) a filter may have. */
export const MAX_NESTING = 100;
const OPENING = new Set<string | undefined>(["openParen", "openBracket", "openCurl"]);
const CLOSING = new Set<string | undefined>(["closeParen", "closeBracket", "closeCurl"]);
/** Transforms by name; each gets the piped value first, then the arguments, all evaluated. */
export type TransformTable = Readonly<Record<string, JexlTransform>>;
/**
 * Watches an evaluation node by node (filterExplanation.ts): called with each node as the evaluator reaches
 * it and the promise of its value, once per evaluation of that node (a relative filter evaluates its
 * expression once per element). Observing never changes a value: the evaluator goes on with the same promise.
 */
export type NodeObserver = (ast: MozjexlAst, value: Promise<unknown>) => void;
/** What `evaluateSync` returns when only `evaluate` can tell the value (or the error). */
export const NEEDS_ASYNC: unique symbol = Symbol("needs asynchronous evaluation");

export class Mozjexl {
  private readonly jexl = new jexlPackage.Jexl();
  private lexer: MozjexlLexer | undefined;

  constructor() {
    // Operators passed to addBinaryOp get both operands already evaluated, which is mozjexl's way.
    this.jexl.addBinaryOp("&&", 10, (left, right) => left && right);
    this.jexl.addBinaryOp("||", 10, (left, right) => left || right);
    this.jexl.addBinaryOp("in", 20, isIn);
  }

  /** Adds (or replaces) a binary operator; `evaluate` receives both operands evaluated. */
  addBinaryOp(operator: string, precedence: number, evaluate: (left: unknown, right: unknown) => unknown): void {
    this.jexl.addBinaryOp(operator, precedence, evaluate);
    this.lexer = undefined; // its operator list is out of date
  }

  /**
   * Parses `expression`; throws a FilterSyntaxError on a syntax error (an empty expression included), with
   * the offset of the token the parser refused.
   */
  parse(expression: string): MozjexlAst {
    this.lexer ??= new MozjexlLexer(this.grammar.elements);
    const parser = new MozjexlParser(this.grammar);
    // A token's raw text includes the white space after it; white space before the first token is in none.
    let position = expression.length - expression.trimStart().length;
    let depth = 0;
    for (const token of this.lexer.tokenize(expression)) {
      if (OPENING.has(token.type) && ++depth > MAX_NESTING) {
        throw new FilterSyntaxError(`Brackets nested more than ${MAX_NESTING} deep`, position);
      }
      if (CLOSING.has(token.type)) depth -= 1;
      try {
        parser.addToken(token);
      } catch (error) {
        throw new FilterSyntaxError(errorText(error), position);
      }
      position += token.raw.length;
    }
    let ast: MozjexlAst | null;
    try {
      ast = parser.complete();
    } catch (error) {
      throw new FilterSyntaxError(errorText(error), expression.length);
    }
    if (!ast) throw new FilterSyntaxError("Empty expression", 0);
    return ast;
  }

  /** Evaluates a parsed expression against `context` with the given transforms; `observer` sees every node. */
  evaluate(ast: MozjexlAst, context: object, transforms: TransformTable, observer?: NodeObserver): Promise<unknown> {
    return new MozjexlEvaluator({ ...this.grammar, transforms }, context, undefined, observer).eval(ast);
  }

  /**
   * `evaluate`'s value without a promise per node, or NEEDS_ASYNC when `evaluate` might tell otherwise: a
   * value to await that is not a fulfilled promise tracked by settledPromise.ts, a transform named in
   * `asyncOnly` (left uncalled, so `evaluate` calls it once), an undefined transform, or any error (`evaluate`
   * gives it, whichever one its Promise.all picks).
   */
  evaluateSync(ast: MozjexlAst, context: object, transforms: TransformTable, asyncOnly: ReadonlySet<string>): unknown {
    try {
      return new SyncMozjexlEvaluator({ ...this.grammar, transforms }, asyncOnly, context).eval(ast);
    } catch {
      return NEEDS_ASYNC;
    }
  }

  /** A binary operator's precedence in the grammar (higher binds tighter); 0 for an unknown operator. */
  precedenceOf(operator: string): number {
    return this.grammar.elements[operator]?.precedence ?? 0;
  }

  private get grammar(): JexlGrammar {
    return (this.jexl as unknown as { _grammar: JexlGrammar })._grammar;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `needle in haystack`: substring for strings, loose (`==`) membership for arrays, else false. */
function isIn(needle: unknown, haystack: unknown): boolean {
  if (typeof haystack === "string") return haystack.indexOf(needle as string) !== -1;
  // eslint-disable-next-line eqeqeq -- mozjexl's `in` compares loosely, and filters rely on it
  return Array.isArray(haystack) && haystack.some((element) => element == needle);
}

class MozjexlParser extends Parser {
  /** Whether the last dot this parser read made its identifier relative; mozjexl keeps applying it. */
  private lastDotRelative = false;

  override addToken(token: JexlToken): string | false {
    // In a sub-parser state the token belongs to the sub-parser, which applies these rules itself.
    const ownToken = !states[this._state]?.subHandler;
    if (ownToken && token.type === "openParen" && this._state === "identifier") {
      throw new Error(`Token ${token.raw} (openParen) unexpected in expression: ${this._exprStr}${token.raw}`);
    }
    if (ownToken && token.type === "identifier") this._nextIdentRelative = this.lastDotRelative;
    const stopState = super.addToken(token);
    if (ownToken && token.type === "dot") this.lastDotRelative = Boolean(this._nextIdentRelative);
    return stopState;
  }

  override _startSubExpression(prefix: string): void {
    super._startSubExpression(prefix);
    // jexl starts a plain Parser here; replace it by one that follows mozjexl too.
    this._subParser = new MozjexlParser(this._grammar, prefix, this._subParser?._stopMap);
  }
}

class MozjexlEvaluator extends Evaluator {
  constructor(
    grammar: JexlGrammar,
    context: unknown,
    relativeContext: unknown,
    private readonly observer: NodeObserver | undefined,
  ) {
    super(grammar, context, relativeContext);
  }

  override eval(ast: JexlAst): Promise<unknown> {
    const value = this.nodeValue(ast);
    this.observer?.(ast, value);
    return value;
  }

  private nodeValue(ast: JexlAst): Promise<unknown> {
    if (ast.type === "Identifier" && ast.from) {
      const name = ast.value;
      return this.eval(ast.from).then((subject) => readProperty(subject, name));
    }
    if (ast.type === "FunctionCall" && !definesTransform(this._grammar, ast.name)) {
      return Promise.reject(new Error(`Transform '${ast.name}' is not defined.`));
    }
    return super.eval(ast);
  }

  override _filterRelative(subject: unknown, expr: JexlAst): Promise<unknown[]> | undefined {
    const elements = relativeFilterElements(subject);
    if (!elements) return undefined;
    // Each element is the relative context of its own evaluator (jexl's would be a plain Evaluator).
    const keeps = elements.map((element) =>
      new MozjexlEvaluator(this._grammar, this._context, element, this.observer).eval(expr),
    );
    return Promise.all(keeps).then((keep) => elements.filter((_, index) => keep[index]));
  }

  override _filterStatic(subject: unknown, expr: JexlAst): Promise<unknown> {
    return this.eval(expr).then((index) => staticFilterResult(subject, index));
  }
}

/** A grammar operator as jexl's handlers apply it (jexlInternals.d.ts types the elements for the lexer only). */
interface JexlOperator {
  eval(...operands: unknown[]): unknown;
}

/**
 * MozjexlEvaluator without promises: jexl's handlers (node_modules/jexl/dist/evaluator/handlers.js) with
 * MozjexlEvaluator's overrides, rule for rule. Where jexl awaits a node's value (every node's), a thenable
 * is used only as a tracked, fulfilled promise; any other stops the evaluation with NEEDS_ASYNC, as does
 * any error.
 */
class SyncMozjexlEvaluator {
  private readonly relativeContext: unknown;

  constructor(
    private readonly grammar: JexlGrammar,
    private readonly asyncOnly: ReadonlySet<string>,
    private readonly context: object,
    relativeContext?: unknown,
  ) {
    // As in jexl's Evaluator: a falsy element of a relative filter (0, "", null) leaves the context relative.
    this.relativeContext = relativeContext || context;
  }

  /** The node's value as jexl awaits it; throws NEEDS_ASYNC (or any error) when it cannot be known here. */
  eval(ast: JexlAst): unknown {
    return awaitedNow(this.nodeValue(ast));
  }

  private nodeValue(ast: JexlAst): unknown {
    switch (ast.type) {
      case "Literal":
        return ast.value;
      case "Identifier":
        if (ast.from) return readProperty(this.eval(ast.from), ast.value);
        return ((ast.relative ? this.relativeContext : this.context) as Record<string, unknown>)[ast.value];
      case "BinaryExpression": {
        // Both operands first, as in mozjexl, whose grammar has no operator evaluating them on demand (one
        // would have no `eval`, throw here, and be left to `evaluate`).
        const operator = this.grammar.elements[ast.operator] as unknown as JexlOperator;
        const left = this.eval(ast.left);
        return operator.eval(left, this.eval(ast.right));
      }
      case "UnaryExpression":
        return (this.grammar.elements[ast.operator] as unknown as JexlOperator).eval(this.eval(ast.right));
      case "ConditionalExpression": {
        const test = this.eval(ast.test);
        if (!test) return this.eval(ast.alternate);
        return ast.consequent ? this.eval(ast.consequent) : test; // `a ?: b`
      }
      case "ArrayLiteral":
        return ast.value.map((element) => this.eval(element));
      case "ObjectLiteral": {
        const object: Record<string, unknown> = {};
        for (const key of Object.keys(ast.value)) object[key] = this.eval(ast.value[key]!);
        return object;
      }
      case "FilterExpression": {
        const subject = this.eval(ast.subject);
        return ast.relative ? this.filterRelative(subject, ast.expr) : staticFilterResult(subject, this.eval(ast.expr));
      }
      case "FunctionCall": {
        // An undefined transform is `evaluate`'s error; an async-only one is called by `evaluate` alone.
        if (ast.pool !== "transforms" || !definesTransform(this.grammar, ast.name) || this.asyncOnly.has(ast.name)) {
          throw NEEDS_ASYNC;
        }
        const args = ast.args.map((arg) => this.eval(arg));
        return this.grammar.transforms[ast.name]!(...(args as [unknown, ...unknown[]]));
      }
    }
  }

  /** MozjexlEvaluator._filterRelative: every element evaluated, as its own relative context. */
  private filterRelative(subject: unknown, expr: JexlAst): unknown[] | undefined {
    const elements = relativeFilterElements(subject);
    if (!elements) return undefined;
    return elements.filter((element) =>
      new SyncMozjexlEvaluator(this.grammar, this.asyncOnly, this.context, element).eval(expr),
    );
  }
}

/**
 * `value` as awaiting it gives, known now: a tracked, fulfilled promise's value, or `value` itself if it is
 * not a thenable. Throws NEEDS_ASYNC for any other thenable.
 */
function awaitedNow(value: unknown): unknown {
  if ((typeof value !== "object" || value === null) && typeof value !== "function") return value;
  const settlement = settlementOf(value);
  // Awaiting a promise adopts its value too, should that have become a thenable since.
  if (settlement) return awaitedNow(settlement.value);
  if (typeof (value as { then?: unknown }).then !== "function") return value;
  // `evaluate` awaits this value again (or the like of it, from a second call of its getter or transform), so a
  // rejection of this one is no unhandled rejection: mozjexl would have handled it.
  if (value instanceof Promise) value.catch(ignoreRejection);
  throw NEEDS_ASYNC;
}

function ignoreRejection(): void {}

function definesTransform(grammar: JexlGrammar, name: string): boolean {
  return Object.hasOwn(grammar.transforms, name);
}

/** What a relative filter tests (`subject[.x == 1]`): an array's elements, any other value alone; none for undefined. */
function relativeFilterElements(subject: unknown): unknown[] | undefined {
  if (subject === undefined) return undefined;
  return Array.isArray(subject) ? subject : [subject];
}

/** `subject[index]`: a boolean index keeps or drops the subject; undefined stays undefined; null throws, as in mozjexl. */
function staticFilterResult(subject: unknown, index: unknown): unknown {
  if (typeof index === "boolean") return index ? subject : undefined;
  if (subject === undefined) return undefined;
  return (subject as Record<string, unknown>)[index as string];
}

/** `subject.name`: undefined stays undefined, an array reads its first element, null throws. */
function readProperty(subject: unknown, name: string): unknown {
  if (subject === undefined) return undefined;
  const target: unknown = Array.isArray(subject) ? subject[0] : subject;
  return (target as Record<string, unknown>)[name]; // a TypeError for null or an empty array, as in mozjexl
}
