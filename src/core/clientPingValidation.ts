/**
 * Checks a client ping against the registry before anything records it. Pure, shared by the parent script
 * and `src/`: a ping outside the registry (unknown type or event, a missing or unknown field, a value its
 * rule does not allow) is refused with a message saying which part and why, never recorded in part.
 */
import { CLIENT_PINGS, type ClientPingType, type FieldRule, type PingEventRule } from "./clientPingRegistry.js";

/** Why `ping` may not be recorded, or null when it may. */
export function clientPingProblem(ping: unknown): string | null {
  if (!isPlainObject(ping)) return `Refused client ping: a ping is an object, got ${describe(ping)}`;
  const { type, event } = ping;
  const problem = findProblem(ping);
  return problem === null ? null : `Refused client ping ${String(type)}/${String(event)}: ${problem}`;
}

function findProblem({ type, event, value, fields, ...rest }: Record<string, unknown>): string | null {
  const unexpected = Object.keys(rest);
  if (unexpected.length > 0)
    return `unknown properties ${unexpected.join(", ")} (a ping has type, event, value and fields)`;
  if (typeof type !== "string" || !Object.hasOwn(CLIENT_PINGS, type)) {
    return `unknown type (known: ${Object.keys(CLIENT_PINGS).join(", ")})`;
  }
  const events: Readonly<Record<string, PingEventRule>> = CLIENT_PINGS[type as ClientPingType].events;
  if (typeof event !== "string" || !Object.hasOwn(events, event)) {
    return `unknown event (known for ${type}: ${Object.keys(events).join(", ")})`;
  }
  const rule = events[event]!;
  const valueProblem = ruleProblem(rule.value, value);
  if (valueProblem !== null) return `value ${valueProblem}`;
  if (!isPlainObject(fields)) return `fields must be an object of strings, got ${describe(fields)}`;
  for (const [name, fieldValue] of Object.entries(fields)) {
    const fieldRule = Object.hasOwn(rule.fields, name) ? rule.fields[name] : undefined;
    if (!fieldRule) return `field "${name}" is not allowed (allowed: ${Object.keys(rule.fields).join(", ") || "none"})`;
    const fieldProblem = ruleProblem(fieldRule, fieldValue);
    if (fieldProblem !== null) return `field "${name}" ${fieldProblem}`;
  }
  const missing = Object.keys(rule.fields).filter((name) => !Object.hasOwn(fields, name));
  return missing.length > 0 ? `missing fields ${missing.join(", ")}` : null;
}

/** What is wrong with `value` under `rule`, or null. */
function ruleProblem(rule: FieldRule, value: unknown): string | null {
  if (typeof value !== "string") return `must be a string, got ${describe(value)}`;
  if ("oneOf" in rule)
    return rule.oneOf.includes(value) ? null : `must be one of ${rule.oneOf.join(", ")}, got ${describe(value)}`;
  return rule.pattern.test(value) ? null : `must be ${rule.means}, got ${describe(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The offending value, cut short: refusals end up in the browser console. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value !== "string") return typeof value;
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
