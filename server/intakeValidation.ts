import type { EventRecord } from "../src/core/index.js";
import { INTAKE_BATCH_MAX_EVENTS, type IntakeBatch } from "../src/core/index.js";
import { loggedEventProblem } from "../src/core/index.js";
import { HttpError } from "./httpResponse.js";

/** Client-made identifiers: UUIDs in practice; anything URL- and page-safe is accepted. */
const IDENTIFIER = /^[\w.:-]{1,128}$/;
const MAX_NAME_LENGTH = 100;
const MAX_TEXT_LENGTH = 1000;
const BATCH_FIELDS = new Set(["batchId", "clientId", "sessionId", "addonVersion", "locale", "events"]);

/**
 * Checks a POSTed batch and returns it, or throws a 400 whose `field` names the offending part, e.g.
 * `events[3][5].reason`. Nothing but the batch's own fields is accepted, and every event must be one the
 * add-on's event registries allow (src/core/loggedEvents.ts).
 */
export function parseIntakeBatch(body: unknown): IntakeBatch {
  if (!isPlainObject(body)) return fail("(body)", "a batch is a JSON object");
  for (const key of Object.keys(body)) if (!BATCH_FIELDS.has(key)) fail(key, "unknown field");
  const events = body["events"];
  const batch = {
    batchId: identifier("batchId", body["batchId"]),
    clientId: identifier("clientId", body["clientId"]),
    sessionId: identifier("sessionId", body["sessionId"]),
    addonVersion: name("addonVersion", body["addonVersion"]),
    locale: name("locale", body["locale"]),
  };
  if (!Array.isArray(events) || events.length === 0 || events.length > INTAKE_BATCH_MAX_EVENTS) {
    return fail("events", `must be an array of 1 to ${INTAKE_BATCH_MAX_EVENTS} events`);
  }
  return { ...batch, events: events.map((event: unknown, index) => parseEvent(event, `events[${index}]`)) };
}

function parseEvent(event: unknown, at: string): EventRecord {
  if (!Array.isArray(event) || event.length !== 6) {
    return fail(at, "an event is [timestamp, category, method, object, value, extra]");
  }
  const [timestamp, category, method, object, value, extra] = event as unknown[];
  if (!Number.isSafeInteger(timestamp) || (timestamp as number) < 0) {
    fail(`${at}[0]`, "the timestamp must be a whole number of ms since process start");
  }
  const record: EventRecord = [
    timestamp as number,
    name(`${at}[1]`, category),
    name(`${at}[2]`, method),
    name(`${at}[3]`, object),
    value === null ? null : text(`${at}[4]`, value),
    extra === null ? null : extraOf(`${at}[5]`, extra),
  ];
  // Only events the add-on's registries allow: the client checks them too, but the intake takes nobody's word.
  const problem = loggedEventProblem(record);
  return problem === null ? record : fail(at, problem);
}

function extraOf(at: string, extra: unknown): Record<string, string> {
  if (!isPlainObject(extra)) return fail(at, "extra must be an object of strings, or null");
  for (const [key, value] of Object.entries(extra)) {
    name(`${at} key ${JSON.stringify(key)}`, key);
    text(`${at}.${key}`, value);
  }
  return extra as Record<string, string>;
}

function identifier(field: string, value: unknown): string {
  return typeof value === "string" && IDENTIFIER.test(value)
    ? value
    : fail(field, "must be 1–128 letters, digits or . _ : -");
}

/** A category, method, object, extra key, version or locale. */
function name(field: string, value: unknown): string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_NAME_LENGTH
    ? value
    : fail(field, `must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
}

/** An event's value or an extra value. */
function text(field: string, value: unknown): string {
  return typeof value === "string" && value.length <= MAX_TEXT_LENGTH
    ? value
    : fail(field, `must be a string of at most ${MAX_TEXT_LENGTH} characters`);
}

function fail(field: string, message: string): never {
  throw new HttpError(400, "validation_error", `${field}: ${message}`, field);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
