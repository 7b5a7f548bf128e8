/**
 * Types for the parts of jexl 2.3.0 that `mozjexl.ts` builds on but the package does not type: its
 * parser and evaluator classes and the parser's state table. Only what is used is declared; the names
 * with a leading underscore are jexl's own fields. jexl 2.3.0 is the last release (2020), so these are
 * stable, and `test/unit/filterExpressions.test.ts` pins the behaviour that depends on them.
 */

declare module "jexl/dist/parser/Parser.js" {
  import type Ast from "jexl/Ast";

  export type JexlAst = Ast;
  export type JexlTransform = (value: unknown, ...args: unknown[]) => unknown;

  export interface JexlGrammar {
    elements: Record<string, { type: string; precedence?: number }>;
    functions: Record<string, (...args: unknown[]) => unknown>;
    transforms: Readonly<Record<string, JexlTransform>>;
  }

  export interface JexlToken {
    type: string | undefined;
    value: string | number | boolean;
    raw: string;
  }

  export default class Parser {
    constructor(grammar: JexlGrammar, prefix?: string, stopMap?: Readonly<Record<string, string>>);
    _grammar: JexlGrammar;
    /** The current state, a key of the state table. */
    _state: string;
    /** The expression text consumed so far (for error messages). */
    _exprStr: string;
    _stopMap: Readonly<Record<string, string>>;
    _subParser: Parser | undefined;
    /** Set by a dot that starts a relative identifier (`[.name == 1]`). */
    _nextIdentRelative: boolean | undefined;
    /** Returns a stop state when a sub-parser's end token arrives, false otherwise; throws on a bad token. */
    addToken(token: JexlToken): string | false;
    addTokens(tokens: readonly JexlToken[]): void;
    /** The tree, or null when no token came; throws if the expression is incomplete. */
    complete(): JexlAst | null;
    _startSubExpression(prefix: string): void;
  }
}

declare module "jexl/dist/parser/states.js" {
  /** States whose tokens go to a sub-parser have a `subHandler`. */
  export const states: Readonly<Record<string, { readonly subHandler?: unknown }>>;
}

declare module "jexl/dist/evaluator/Evaluator.js" {
  import type { JexlAst, JexlGrammar } from "jexl/dist/parser/Parser.js";

  export default class Evaluator {
    constructor(grammar: JexlGrammar, context?: unknown, relativeContext?: unknown, promise?: PromiseConstructor);
    _grammar: JexlGrammar;
    _context: unknown;
    eval(ast: JexlAst): Promise<unknown>;
    _filterRelative(subject: unknown, expr: JexlAst): Promise<unknown[]> | undefined;
    _filterStatic(subject: unknown, expr: JexlAst): Promise<unknown>;
  }
}
