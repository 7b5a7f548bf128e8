/**
 * Splits a filter expression into tokens the way mozjexl (the Jexl fork in Firefox) does. jexl 2's own
 * lexer differs in ways that change what parses:
 * - identifiers are ASCII only (`[a-zA-Z_$][a-zA-Z0-9_$]*`, matched between word boundaries), so `café`
 *   is an "Invalid expression token" and `$a` is the two identifiers `$` and `a`;
 * - in a string literal an escaped quote must be followed by another character, so `'a\''` ends at the
 *   second quote (and fails to parse) instead of being the string `a'`.
 * Tokens have the shape jexl's parser consumes: `{type, value, raw}`. A token's type is a grammar
 * element's type, "literal" or "identifier"; `raw` is its text plus any white space after it.
 */
import type { JexlToken as Token } from "jexl/dist/parser/Parser.js";
import { FilterSyntaxError } from "./filterSyntaxError.js";

/** The grammar elements (operators and punctuation) by their source text. */
export type GrammarElements = Readonly<Record<string, { readonly type: string }>>;

const STRING_LITERALS = [String.raw`'(?:(?:\\')?[^'])*'`, String.raw`"(?:(?:\\")?[^"])*"`];
const WHITESPACE = String.raw`\s+`;
const BOOLEANS = [String.raw`\btrue\b`, String.raw`\bfalse\b`];
const IDENTIFIER = String.raw`\b[a-zA-Z_$][a-zA-Z0-9_$]*\b`;
const NUMBER = String.raw`(?:[0-9]*\.[0-9]+)|[0-9]+`;

const NUMERIC_TOKEN = /^-?(?:(?:[0-9]*\.[0-9]+)|[0-9]+)$/;
const IDENTIFIER_TOKEN = /^[a-zA-Z_$][a-zA-Z0-9_$]*$/;
const ONLY_WHITESPACE = /^\s*$/;
/** After these token types a "-" negates the following number instead of subtracting. */
const MINUS_NEGATES_AFTER = new Set(["binaryOp", "unaryOp", "openParen", "openBracket", "question", "colon"]);

export class MozjexlLexer {
  private readonly splitter: RegExp;

  constructor(private readonly elements: GrammarElements) {
    // Longest operators first, so "//" wins over "/" and ">=" over ">"; word operators ("in") only as words.
    const operators = Object.keys(elements)
      .sort((a, b) => b.length - a.length)
      .map((element) => {
        const escaped = element.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        return IDENTIFIER_TOKEN.test(escaped) ? String.raw`\b${escaped}\b` : escaped;
      });
    // One capturing group: split() keeps every match, and the text between matches stays as elements too.
    const alternatives = [...STRING_LITERALS, WHITESPACE, ...BOOLEANS, ...operators, IDENTIFIER, NUMBER];
    this.splitter = new RegExp(`(${alternatives.join("|")})`);
  }

  tokenize(expression: string): Token[] {
    const tokens: Token[] = [];
    let negate = false;
    let offset = 0;
    for (const element of expression.split(this.splitter)) {
      const elementOffset = offset;
      offset += element.length;
      if (!element) continue;
      if (ONLY_WHITESPACE.test(element)) {
        const previous = tokens.at(-1);
        if (previous) previous.raw += element;
      } else if (element === "-" && this.minusNegates(tokens)) {
        negate = true;
      } else {
        // A pending "-" is glued to whatever comes next: "-5" is a number, "-x" an invalid token.
        tokens.push(this.createToken(negate ? `-${element}` : element, elementOffset));
        negate = false;
      }
    }
    // A trailing "-" is left for the parser to reject.
    if (negate) tokens.push(this.createToken("-", expression.length - 1));
    return tokens;
  }

  private minusNegates(tokens: readonly Token[]): boolean {
    const previous = tokens.at(-1);
    return previous === undefined || MINUS_NEGATES_AFTER.has(previous.type ?? "");
  }

  private createToken(element: string, offset: number): Token {
    // Anything starting with a quote is a string, even an unmatched lone quote (which reads as "").
    if (element[0] === '"' || element[0] === "'") return literal(unquote(element), element);
    if (NUMERIC_TOKEN.test(element)) return literal(parseFloat(element), element);
    if (element === "true" || element === "false") return literal(element === "true", element);
    // `in`, not own properties: like mozjexl, names on Object.prototype ("constructor", "toString") are
    // looked up as elements and come out without a type, so the parser rejects them.
    if (element in this.elements) return { type: this.elements[element]?.type, value: element, raw: element };
    if (IDENTIFIER_TOKEN.test(element)) return { type: "identifier", value: element, raw: element };
    throw new FilterSyntaxError(`Invalid expression token: ${element}`, offset);
  }
}

function literal(value: string | number | boolean, raw: string): Token {
  return { type: "literal", value, raw };
}

/** Strips the quotes, unescapes escaped quotes of the same kind, and only the first `\\` (a mozjexl quirk). */
function unquote(quoted: string): string {
  const quote = quoted[0]!;
  return quoted.slice(1, -1).replaceAll(`\\${quote}`, quote).replace("\\\\", "\\");
}
