/**
 * Mozilla's version ordering: what `Services.vc.compare(a, b)` (nsIVersionComparator, implemented by
 * xpcom/base/nsVersionComparator.cpp) returns when called from JavaScript. The `versionCompare` filter
 * transform uses it, so `113.0a1 < 113 < 113.0.1`, `1.0 == 1.0.0 == 1` and `1.0pre1 < 1.0`.
 *
 * A version is a dot-separated list of parts; each part is `<number-a><string-b><number-c><string-d>`,
 * every piece optional. Parts compare piece by piece, a missing part counts as `0`, a part `*` is the
 * largest number, and `<n>+` means `<n+1>pre`. A string piece sorts before no string, so pre-release
 * tags (`a1`, `b2`, `pre`) come before the release.
 */

/** One parsed part; a `null` string piece is "no string", which sorts after every string. */
interface VersionPart {
  numA: number;
  strB: string | null;
  numC: number;
  extraD: string | null;
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);
const MISSING_PART: VersionPart = { numA: 0, strB: null, numC: 0, extraD: null };
/** The characters at which the string piece `b` ends and number `c` starts (C's strpbrk set). */
const NUMBER_C_START = /[0-9+-]/;
/** C's isspace() in the "C" locale, which strtol skips before the number. */
const C_SPACE = /[ \t\n\v\f\r]/;
const DIGIT = /[0-9]/;

/**
 * Compares two versions: negative if `a` is older, 0 if equal, positive if newer. The magnitude is
 * Firefox's too: -1/1 from number and `b`-string pieces, a byte difference (C strcmp) from `d`-strings.
 */
export function compareVersions(a: string, b: string): number {
  let restA: string | null = toCString(a);
  let restB: string | null = toCString(b);
  let result: number;
  do {
    const [partA, nextA] = parsePart(restA);
    const [partB, nextB] = parsePart(restB);
    restA = nextA;
    restB = nextB;
    result = compareParts(partA, partB);
  } while (result === 0 && (restA !== null || restB !== null));
  return result;
}

/**
 * What the comparator sees of a JS string: XPConnect passes it as an ACString, keeping the low byte of
 * each UTF-16 unit, and the C code stops at the first NUL byte. Each char of the result is one byte.
 */
function toCString(value: string): string {
  let bytes = "";
  for (let i = 0; i < value.length; i++) {
    const byte = value.charCodeAt(i) & 0xff;
    if (byte === 0) break;
    bytes += String.fromCharCode(byte);
  }
  return bytes;
}

/** Parses the first part of `version` and returns it with the rest after its dot (null: no more parts). */
function parsePart(version: string | null): [VersionPart, string | null] {
  if (version === null) return [MISSING_PART, null];
  const dot = version.indexOf(".");
  const text = dot === -1 ? version : version.slice(0, dot);
  // A trailing dot does not start another part.
  const rest = dot === -1 || dot === version.length - 1 ? null : version.slice(dot + 1);

  const part: VersionPart = { ...MISSING_PART };
  let afterA: string;
  if (text === "*") {
    part.numA = INT32_MAX;
    afterA = "";
  } else {
    const { value, end } = parseInt32(text, 0);
    part.numA = value;
    afterA = text.slice(end);
  }
  if (afterA === "") return [part, rest];

  if (afterA[0] === "+") {
    // "2+" is "3pre"; whatever follows the "+" is ignored. C's int32 increment wraps.
    part.numA = (part.numA + 1) | 0;
    part.strB = "pre";
    return [part, rest];
  }
  const numberStart = afterA.search(NUMBER_C_START);
  if (numberStart === -1) {
    part.strB = afterA;
    return [part, rest];
  }
  // May be "" (as in "1-2"): an empty string piece is still a string, so it sorts before none.
  part.strB = afterA.slice(0, numberStart);
  const { value, end } = parseInt32(afterA, numberStart);
  part.numC = value;
  part.extraD = end === afterA.length ? null : afterA.slice(end);
  return [part, rest];
}

/**
 * C's `strtol(text + start, &end, 10)` as the comparator uses it: optional leading white space and
 * sign, then decimal digits; no digits at all means value 0 and `end === start`. Values outside int32
 * (including strtol overflow) become 0.
 */
function parseInt32(text: string, start: number): { value: number; end: number } {
  let i = start;
  while (i < text.length && C_SPACE.test(text[i]!)) i++;
  const negative = text[i] === "-";
  if (text[i] === "+" || text[i] === "-") i++;
  const digitsStart = i;
  while (i < text.length && DIGIT.test(text[i]!)) i++;
  if (i === digitsStart) return { value: 0, end: start };
  const magnitude = Number(text.slice(digitsStart, i));
  const value = negative ? -magnitude : magnitude;
  const inRange = value >= INT32_MIN && value <= INT32_MAX;
  return { value: inRange ? value + 0 : 0, end: i }; // + 0 turns -0 into 0
}

function compareParts(a: VersionPart, b: VersionPart): number {
  return (
    compareNumbers(a.numA, b.numA) ||
    compareStringPieces(a.strB, b.strB) ||
    compareNumbers(a.numC, b.numC) ||
    compareExtras(a.extraD, b.extraD)
  );
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a === b ? 0 : 1;
}

/** A string sorts before no string. */
function compareMissing(a: string | null, b: string | null): number | undefined {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  return undefined;
}

/**
 * The `b` pieces compare char by char as C `char`, which is signed on x86-64 Linux: bytes of 0x80
 * and above sort before ASCII. A prefix sorts first. Result -1, 0 or 1.
 */
function compareStringPieces(a: string | null, b: string | null): number {
  const missing = compareMissing(a, b);
  if (missing !== undefined) return missing;
  const [x, y] = [a!, b!];
  for (let i = 0; i < x.length && i < y.length; i++) {
    const difference = signedByte(x.charCodeAt(i)) - signedByte(y.charCodeAt(i));
    if (difference !== 0) return Math.sign(difference);
  }
  return compareNumbers(x.length, y.length);
}

/** The `d` pieces compare with C strcmp: the difference of the first differing bytes, unsigned. */
function compareExtras(a: string | null, b: string | null): number {
  const missing = compareMissing(a, b);
  if (missing !== undefined) return missing;
  const [x, y] = [a!, b!];
  for (let i = 0; ; i++) {
    // Past the end, a C string has its NUL terminator.
    const difference = (x.charCodeAt(i) || 0) - (y.charCodeAt(i) || 0);
    if (difference !== 0 || i >= x.length || i >= y.length) return difference;
  }
}

function signedByte(byte: number): number {
  return byte >= 0x80 ? byte - 0x100 : byte;
}
