/**
 * Canonical JSON, the text content signatures cover. Follows Firefox's `CanonicalJSON.stringify`:
 *  - no whitespace; object keys sorted with JS's default sort (UTF-16 code unit order);
 *  - object keys whose value is `undefined` are dropped, `undefined` array items become `null`;
 *  - `toJSON()` is honoured;
 *  - numbers as `JSON.stringify` writes them (NaN and ±Infinity become `null`), except `-0` → `-0`;
 *  - strings and keys escaped like jsesc `{json: true, lowercaseHex: true}`: `\"`, `\\`, `\b \f \n \r \t`,
 *    every other code unit outside printable ASCII (0x20–0x7e) as lowercase `\uXXXX`, so an astral
 *    character becomes two escaped surrogates and DEL becomes `\u007f`; `/` is not escaped.
 *
 * For ordinary data this equals the Normandy server's Python
 * `json.dumps(x, ensure_ascii=True, separators=(",", ":"), sort_keys=True)`, whose escaping is the same.
 * Known differences, none of which occur in recipes: Python sorts keys by code point (differs only for
 * keys mixing astral characters with U+E000–U+FFFF), writes floats with integral values as `1.0`, small
 * exponents as `1e-07`, `-0.0` as `-0.0`, and NaN as `NaN`.
 *
 * Where Firefox has quirks, this does the sound thing: it honours `toJSON()` at every level (Firefox only
 * for object members), never leaves a trailing comma when the last key's value is `undefined` (Firefox
 * does), and throws a TypeError for values JSON cannot hold (functions, symbols, bigints, top-level
 * `undefined`) instead of emitting whatever jsesc makes of them.
 */
export function canonicalJSON(value: unknown): string {
  const data = hasToJSON(value) ? value.toJSON() : value;
  switch (typeof data) {
    case "string":
      return quote(data);
    case "number":
      return Object.is(data, -0) ? "-0" : JSON.stringify(data);
    case "boolean":
      return String(data);
    case "object":
      if (data === null) return "null";
      if (Array.isArray(data))
        return `[${data.map((item) => (item === undefined ? "null" : canonicalJSON(item))).join(",")}]`;
      return canonicalObject(data as Record<string, unknown>);
    default:
      throw new TypeError(`canonicalJSON cannot serialize a ${typeof data}`);
  }
}

function canonicalObject(object: Record<string, unknown>): string {
  const members = Object.keys(object)
    .sort()
    .filter((key) => object[key] !== undefined)
    .map((key) => `${quote(key)}:${canonicalJSON(object[key])}`);
  return `{${members.join(",")}}`;
}

function hasToJSON(value: unknown): value is { toJSON(): unknown } {
  return typeof value === "object" && value !== null && typeof (value as { toJSON?: unknown }).toJSON === "function";
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** Matches every UTF-16 code unit that is escaped: quote, backslash, and anything outside 0x20–0x7e. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/g;

function quote(text: string): string {
  const escaped = text.replace(
    NEEDS_ESCAPE,
    (unit) => SHORT_ESCAPES[unit] ?? `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `"${escaped}"`;
}
