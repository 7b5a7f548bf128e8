import { describe, expect, it } from "vitest";
import { canonicalJSON } from "../../src/core/index.js";

describe("canonicalJSON", () => {
  it("sorts object keys by UTF-16 code units at every depth, without whitespace", () => {
    expect(canonicalJSON({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    // Default sort: digits < uppercase < "_" < lowercase; "10" sorts before "9" (strings, not numbers).
    expect(canonicalJSON({ b: 0, _: 0, B: 0, 9: 0, 10: 0 })).toBe('{"10":0,"9":0,"B":0,"_":0,"b":0}');
    // A surrogate (0xd83d) sorts before U+E000, unlike a code point sort.
    expect(canonicalJSON({ "\ue000": 1, "😀": 2 })).toBe('{"\\ud83d\\ude00":2,"\\ue000":1}');
  });

  it("writes arrays in order and empty containers compactly", () => {
    expect(canonicalJSON([3, 1, 2])).toBe("[3,1,2]");
    expect(canonicalJSON([[], {}, [[]]])).toBe("[[],{},[[]]]");
  });

  it("writes scalars", () => {
    expect(canonicalJSON(null)).toBe("null");
    expect(canonicalJSON(true)).toBe("true");
    expect(canonicalJSON(false)).toBe("false");
    expect(canonicalJSON("")).toBe('""');
  });

  it("writes numbers as JSON.stringify does, except -0", () => {
    expect(canonicalJSON([0, 7, -42, 1.5, 0.1, 1e21, 1e-7, 123e-20, 2 ** 53])).toBe(
      "[0,7,-42,1.5,0.1,1e+21,1e-7,1.23e-18,9007199254740992]",
    );
    expect(canonicalJSON(-0)).toBe("-0");
    expect(canonicalJSON({ a: -0 })).toBe('{"a":-0}');
    expect(canonicalJSON([NaN, Infinity, -Infinity])).toBe("[null,null,null]");
  });

  it("uses the short escapes for quote, backslash and \\b \\f \\n \\r \\t, and leaves / alone", () => {
    expect(canonicalJSON('"\\/\b\f\n\r\t')).toBe('"\\"\\\\/\\b\\f\\n\\r\\t"');
  });

  it("escapes other control characters and DEL as lowercase \\u00xx", () => {
    expect(canonicalJSON("\u0000\u0001\u000b\u001f\u007f")).toBe('"\\u0000\\u0001\\u000b\\u001f\\u007f"');
    expect(canonicalJSON(" ~")).toBe('" ~"'); // the printable ASCII bounds stay literal
  });

  it("escapes every non-ASCII code unit: BMP, combining marks, astral as surrogate pairs", () => {
    expect(canonicalJSON("café")).toBe('"caf\\u00e9"');
    expect(canonicalJSON("e\u0301")).toBe('"e\\u0301"'); // combining acute stays a separate code unit
    expect(canonicalJSON("€—\uffff")).toBe('"\\u20ac\\u2014\\uffff"');
    expect(canonicalJSON("😀")).toBe('"\\ud83d\\ude00"');
    expect(canonicalJSON("\ud800")).toBe('"\\ud800"'); // a lone surrogate is escaped, not mangled
  });

  it("escapes keys like strings", () => {
    expect(canonicalJSON({ 'k"é\n': 1 })).toBe('{"k\\"\\u00e9\\n":1}');
  });

  it("drops keys whose value is undefined and writes undefined array items as null", () => {
    expect(canonicalJSON({ a: undefined, b: 1, c: undefined })).toBe('{"b":1}');
    expect(canonicalJSON({ z: undefined })).toBe("{}");
    expect(canonicalJSON([undefined, 1, undefined])).toBe("[null,1,null]");
  });

  it("honours toJSON() for members, array items and the top level", () => {
    const date = new Date(Date.UTC(2020, 0, 2, 3, 4, 5));
    expect(canonicalJSON({ when: date })).toBe('{"when":"2020-01-02T03:04:05.000Z"}');
    expect(canonicalJSON([date])).toBe('["2020-01-02T03:04:05.000Z"]');
    expect(canonicalJSON({ toJSON: () => ({ b: 2, a: 1 }) })).toBe('{"a":1,"b":2}');
  });

  it("refuses values JSON cannot hold", () => {
    expect(() => canonicalJSON(undefined)).toThrow(TypeError);
    expect(() => canonicalJSON({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJSON([Symbol("s")])).toThrow(TypeError);
    expect(() => canonicalJSON(1n)).toThrow(TypeError);
  });

  it("matches Python's json.dumps(ensure_ascii=True, separators=(',',':'), sort_keys=True) on recipe-like data", () => {
    const data = {
      id: 10,
      name: "café 😀",
      arguments: {
        nested: {
          b: [1, 2.5, -3, 0.1, 1e21, null, true, false],
          a: 'tab\there "quoted" back\\slash /slash \u007f \u0000',
        },
      },
      filter_expression: 'normandy.channel in ["default"]',
      revision_id: "16",
      Zeta: "upper",
      _: "",
      10: "ten",
      9: "nine",
    };
    // Produced by CPython 3 from the same data.
    const python =
      '{"10":"ten","9":"nine","Zeta":"upper","_":"","arguments":{"nested":{"a":"tab\\there \\"quoted\\" back\\\\slash /slash \\u007f \\u0000","b":[1,2.5,-3,0.1,1e+21,null,true,false]}},"filter_expression":"normandy.channel in [\\"default\\"]","id":10,"name":"caf\\u00e9 \\ud83d\\ude00","revision_id":"16"}';
    expect(canonicalJSON(data)).toBe(python);
  });

  it("round-trips: JSON.parse of the output gives the input back", () => {
    const data = { s: "a\u2028b😀\u0000", n: [1.25, -7], o: { "": [null] } };
    expect(JSON.parse(canonicalJSON(data))).toEqual(data);
  });
});
