/**
 * Paths as the core validator and the admin API write them: `branches[0].preferences["a.b"].preferenceType`
 * (names that are not identifiers are quoted, because pref names contain dots).
 */
export type PathSegment = string | number;

const SEGMENT = /^(?:\.?([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;

/** The segments of `path`; parsing stops at anything it does not understand. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let rest = path;
  for (let match = SEGMENT.exec(rest); match && rest !== ""; match = SEGMENT.exec(rest)) {
    const [whole, name, index, quoted] = match;
    segments.push(name ?? (index !== undefined ? Number(index) : (JSON.parse(quoted!) as string)));
    rest = rest.slice(whole.length);
  }
  return segments;
}
