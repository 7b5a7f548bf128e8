/**
 * Checks a Normandy event against the registry before anything records it. Pure, shared by the parent
 * script and `src/`: an event outside the registry is refused with a message naming the method, object or
 * extra key and why, never silently dropped (Glean would drop an unknown extra key with only an internal
 * error count, and Normandy's own `Glean.normandy[name]?.record()` drops unknown events outright).
 */
import {
  EVENT_EXTRA_VALUE_MAX_BYTES,
  EVENT_VALUE_MAX_LENGTH,
  NORMANDY_EVENT_CATEGORY,
  NORMANDY_EVENTS,
  VALUE_EXTRA_KEY,
  type NormandyEventMethod,
} from "./eventRegistry.js";

/** Why the event may not be recorded, or null when it may. */
export function normandyEventProblem(method: string, object: string, value: unknown, extra: unknown): string | null {
  const problem = findProblem(method, object, value, extra);
  return problem === null ? null : `Refused telemetry event ${NORMANDY_EVENT_CATEGORY}/${method}/${object}: ${problem}`;
}

function findProblem(method: string, object: string, value: unknown, extra: unknown): string | null {
  if (!isRegisteredMethod(method)) {
    return `unknown method "${method}" (known: ${Object.keys(NORMANDY_EVENTS).join(", ")})`;
  }
  const { objects, extraKeys, requiredExtraKeys } = NORMANDY_EVENTS[method];
  if (!(objects as readonly string[]).includes(object)) {
    return `"${method}" is not recorded for object "${object}" (only for ${objects.join(", ")})`;
  }
  if (typeof value !== "string") return `the value must be a string, got ${describe(value)}`;
  if (value.length > EVENT_VALUE_MAX_LENGTH) {
    return `the value is ${value.length} characters long; at most ${EVENT_VALUE_MAX_LENGTH} are allowed`;
  }
  if (typeof extra !== "object" || extra === null || Array.isArray(extra)) {
    return `extra must be an object of strings, got ${describe(extra)}`;
  }
  for (const [key, extraValue] of Object.entries(extra)) {
    if (key === VALUE_EXTRA_KEY) return `extra key "${key}" is reserved: pass the value as the event's value`;
    if (!(extraKeys as readonly string[]).includes(key)) {
      return `extra key "${key}" is not allowed for "${method}" (allowed: ${extraKeys.join(", ")})`;
    }
    // Normandy's TelemetryEvents throws on null/undefined extras too.
    if (typeof extraValue !== "string") return `extra "${key}" must be a string, got ${describe(extraValue)}`;
  }
  const missing = (requiredExtraKeys as readonly string[]).find((key) => !Object.hasOwn(extra, key));
  if (missing !== undefined) return `every "${method}" event carries the extra "${missing}"; it is missing`;
  return null;
}

function isRegisteredMethod(method: string): method is NormandyEventMethod {
  return Object.hasOwn(NORMANDY_EVENTS, method);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? JSON.stringify(value) : typeof value;
}

/**
 * The extras as Glean will keep them: each value cut to Glean's byte limit on a character boundary (Glean
 * would truncate too, but count an error that makes its test API throw). Recorded and logged alike.
 */
export function fitExtraValues(extra: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(extra).map(([key, value]) => [key, truncateUtf8(value, EVENT_EXTRA_VALUE_MAX_BYTES)]),
  );
}

function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    bytes += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    if (bytes > maxBytes) return text.slice(0, end);
    end += character.length;
  }
  return text;
}
