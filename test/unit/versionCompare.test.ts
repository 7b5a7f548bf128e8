import { describe, expect, test } from "vitest";
import { compareVersions } from "../../src/core/versionCompare.js";

/** Asserts a < b, and the reverse. */
function expectOlder(a: string, b: string): void {
  expect(compareVersions(a, b), `${a} < ${b}`).toBeLessThan(0);
  expect(compareVersions(b, a), `${b} > ${a}`).toBeGreaterThan(0);
}

function expectSame(a: string, b: string): void {
  expect(compareVersions(a, b), `${a} == ${b}`).toBe(0);
  expect(compareVersions(b, a), `${b} == ${a}`).toBe(0);
}

describe("compareVersions (nsIVersionComparator)", () => {
  test("numeric parts compare as numbers, missing parts count as 0", () => {
    expectOlder("1.9", "1.10");
    expectOlder("2", "10");
    expectOlder("1.1", "1.1.0.1");
    expectSame("1.0.0", "1");
    expectSame("1.0", "1.0.0.0");
    expectSame("", "0");
    expectSame("1.", "1");
    expectSame("1..2", "1.0.2");
  });

  test("a pre-release tag sorts before the release, and tags compare by letters then number", () => {
    expectOlder("113.0a1", "113");
    expectOlder("113.0a1", "113.0a2");
    expectOlder("113.0a2", "113.0b1");
    expectOlder("113.0b3", "113.0b12");
    expectOlder("1.0pre1", "1.0");
    expectOlder("1.0pre1", "1.0pre2");
    expectOlder("1.0pre", "1.0pre1");
    expectOlder("128.5.1esr", "128.5.1");
    expectOlder("128.5.0", "128.5.1esr");
  });

  test("the documented Toolkit version format ordering holds along the whole chain", () => {
    // MDN "Toolkit version format": each group is older than the next; versions in a group are equal.
    const chain = [
      ["1.-1"],
      ["1", "1.", "1.0", "1.0.0"],
      ["1.1a"],
      ["1.1aa"],
      ["1.1ab"],
      ["1.1b"],
      ["1.1c"],
      ["1.1pre", "1.1pre0", "1.0+"],
      ["1.1pre1a"],
      ["1.1pre1aa"],
      ["1.1pre1b"],
      ["1.1pre1"],
      ["1.1pre2"],
      ["1.1pre10"],
      ["1.1.-1"],
      ["1.1", "1.1.0", "1.1.00"],
      ["1.10"],
      ["1.*"],
      ["1.*.1"],
      ["2.0"],
    ];
    chain.forEach((group, index) => {
      for (const version of group) expectSame(group[0]!, version);
      const next = chain[index + 1];
      if (next) expectOlder(group.at(-1)!, next[0]!);
    });
  });

  test("'*' is the largest number and '<n>+' means '<n+1>pre'", () => {
    expectSame("*", "2147483647");
    expectOlder("99999.1", "*");
    expectOlder("130.0", "130.*");
    expectSame("1+", "2pre");
    expectSame("1+5", "2pre"); // what follows the "+" is ignored
    expectSame("+", "1pre");
  });

  test("numbers follow C strtol: white space and sign, out-of-int32 values are 0", () => {
    expectSame(" 5", "5");
    expectOlder("-1", "0");
    expectSame("2147483648", "0");
    expectSame("99999999999", "0");
    expectOlder("2147483646", "2147483647");
    expectSame("1a-b", "1a0-b");
    expectSame("1a+1", "1a1");
  });

  test("results carry Firefox's magnitudes: ±1, except C strcmp byte differences on trailing text", () => {
    expect(compareVersions("1.0a", "1.0c")).toBe(-1);
    expect(compareVersions("1a1b", "1a1d")).toBe(-2);
    expect(compareVersions("1a5yy", "1a5y")).toBe(121);
  });

  test("strings reach the comparator as Latin-1 bytes: signed for letters, unsigned for trailing text", () => {
    expect(compareVersions("1é", "1a")).toBe(-1); // 0xE9 is a negative C char
    expect(compareVersions("1é", "1ê")).toBe(-1);
    expect(compareVersions("1a1é", "1a1a")).toBe(136); // strcmp: 0xE9 - 0x61
    expect(compareVersions("1\u0100", "1a")).toBe(1); // the low byte is NUL: the string ends there
  });
});
