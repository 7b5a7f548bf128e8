/**
 * Validates recipe arguments the way Normandy does: with Firefox's `JsonSchemaValidator`
 * (toolkit/components/utils/JsonSchemaValidator.sys.mjs) called with `allowAdditionalProperties: true`.
 * That validator is not a standard JSON Schema validator, and a recipe Normandy accepts must be accepted
 * here too (the server validated it with a real draft-04 validator, so in practice the differences only
 * matter for hand-made recipes). What it does, and so what this does:
 *  - `type` (a name or a list of names, the first that validates wins), `enum` (not for booleans),
 *    `properties`, `patternProperties`, `required` (by key presence), `items`;
 *  - `integer` is an alias of `number` (1.5 is an integer), and a boolean accepts 0 and 1, cast to
 *    false and true in the parsed value;
 *  - properties the schema does not name are dropped from the parsed value, and defaults are **not**
 *    applied (an absent `isHighPopulation` stays absent, never the schema's string default "false");
 *  - `pattern`, `minItems`, `minimum`, `minLength`, `format` and `default` are ignored. Honouring them would
 *    reject recipes Normandy accepts (an empty `branches` list, a slug with a dot), so we deliberately do
 *    not; the actions cope with what gets through (e.g. an empty `branches` list fails in ratioSample).
 *  - a schema without a known `type` rejects every value.
 * Where we differ: errors name the failing field as a path (`branches[0].preferences["a.b"].preferenceType`)
 * rather than a dotted key list, because pref names contain dots.
 *
 * `{strict: true}` is what the recipe server checks before it saves a recipe (Normandy's server validated
 * with a real draft-04 validator): `integer` must be whole, a boolean must be true or false, `enum` applies
 * to booleans too, and `pattern`, `minItems`, `minimum` and `minLength` hold (`format` is still not
 * checked, as Normandy's server did not). A missing required property is then reported at its own path,
 * so a form can point at the field.
 */
import { setOwnProperty } from "./setOwnProperty.js";

export type JsonSchemaType = "string" | "number" | "integer" | "boolean" | "null" | "object" | "array";

export interface JsonSchema {
  type?: JsonSchemaType | JsonSchemaType[];
  description?: string;
  title?: string;
  $schema?: string;
  enum?: readonly unknown[];
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  required?: readonly string[];
  items?: JsonSchema;
  // Recorded for the server and for readers; ignored by this validator, as by Normandy's (see above).
  pattern?: string;
  minItems?: number;
  minimum?: number;
  minLength?: number;
  format?: string;
  default?: unknown;
}

export type ValidationResult = { valid: true; value: unknown } | { valid: false; path: string; message: string };

export interface ValidationOptions {
  /** The recipe server's checks (see above); default false, Normandy's client semantics. */
  strict?: boolean;
}

/** Validates `value` against `schema`; on success `value` is the parsed value described above. */
export function validateJson(
  value: unknown,
  schema: JsonSchema,
  { strict = false }: ValidationOptions = {},
): ValidationResult {
  return validate(value, schema, "", strict);
}

function validate(value: unknown, schema: JsonSchema, path: string, strict: boolean): ValidationResult {
  if (Array.isArray(schema.type)) {
    for (const type of schema.type) {
      const result = validate(value, { ...schema, type }, path, strict);
      if (result.valid) return result;
    }
    return failure(path, `${show(value)} does not match any type in ${show(schema.type)}`);
  }
  switch (schema.type) {
    case "boolean":
    case "number":
    case "integer":
    case "string":
    case "null": {
      const result = validateSimple(value, schema.type, path, strict);
      if (!result.valid) return result;
      if (schema.enum && (strict || typeof result.value !== "boolean") && !schema.enum.includes(value)) {
        return failure(path, `${show(value)} is not one of ${show(schema.enum)}`);
      }
      return strict ? (checkStrictKeywords(value, schema, path) ?? result) : result;
    }
    case "array":
      return validateArray(value, schema, path, strict);
    case "object":
      return validateObject(value, schema, path, strict);
    default:
      return failure(path, `the schema has no usable type (${show(schema.type)})`);
  }
}

function validateSimple(
  value: unknown,
  type: "boolean" | "number" | "integer" | "string" | "null",
  path: string,
  strict: boolean,
): ValidationResult {
  switch (type) {
    case "boolean":
      if (typeof value === "boolean") return { valid: true, value };
      if (!strict && (value === 0 || value === 1)) return { valid: true, value: value === 1 };
      break;
    case "number":
      if (typeof value === "number") return { valid: true, value };
      break;
    case "integer": // an alias of number in Normandy's validator
      if (typeof value === "number" && (!strict || Number.isInteger(value))) return { valid: true, value };
      break;
    case "string":
      if (typeof value === "string") return { valid: true, value };
      break;
    case "null":
      if (value === null) return { valid: true, value };
      break;
  }
  return failure(path, `${show(value)} does not match the expected type "${type}"`);
}

/** `pattern`, `minLength`, `minimum` and `minItems`, for strict validation; undefined when they hold. */
function checkStrictKeywords(value: unknown, schema: JsonSchema, path: string): ValidationResult | undefined {
  if (typeof value === "string") {
    if (schema.minLength !== undefined && [...value].length < schema.minLength) {
      return failure(
        path,
        schema.minLength === 1 ? "must not be empty" : `must be at least ${schema.minLength} characters long`,
      );
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
      return failure(path, `${show(value)} does not match the pattern ${schema.pattern}`);
    }
  }
  if (typeof value === "number" && schema.minimum !== undefined && value < schema.minimum) {
    return failure(path, `${value} is less than the minimum ${schema.minimum}`);
  }
  if (Array.isArray(value) && schema.minItems !== undefined && value.length < schema.minItems) {
    return failure(path, `needs at least ${schema.minItems} item${schema.minItems === 1 ? "" : "s"}`);
  }
  return undefined;
}

function validateArray(value: unknown, schema: JsonSchema, path: string, strict: boolean): ValidationResult {
  if (!Array.isArray(value)) return failure(path, `${show(value)} does not match the expected type "array"`);
  if (strict) {
    const problem = checkStrictKeywords(value, schema, path);
    if (problem) return problem;
  }
  const parsed: unknown[] = [];
  for (const [index, item] of value.entries()) {
    // Normandy's validator dereferences `items` unconditionally; an array schema without one accepts nothing.
    if (!schema.items) return failure(`${path}[${index}]`, "the schema has no items");
    const result = validate(item, schema.items, `${path}[${index}]`, strict);
    if (!result.valid) return result;
    parsed.push(result.value);
  }
  return { valid: true, value: parsed };
}

function validateObject(value: unknown, schema: JsonSchema, path: string, strict: boolean): ValidationResult {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    // Arrays are objects to Normandy's validator; it then checks their indices as properties. No recipe
    // schema puts an array where an object belongs, so we simply reject them.
    return failure(path, `${show(value)} does not match the expected type "object"`);
  }
  const record = value as Record<string, unknown>;
  for (const required of schema.required ?? []) {
    if (!(required in record)) {
      return failure(strict ? propertyPath(path, required) : path, `missing required property "${required}"`);
    }
  }
  const patterns = Object.entries(schema.patternProperties ?? {}).map(([pattern, propertySchema]) => ({
    pattern: new RegExp(pattern),
    schema: propertySchema,
  }));
  const parsed: Record<string, unknown> = {};
  for (const [key, propertyValue] of Object.entries(record)) {
    const propertySchema = Object.hasOwn(schema.properties ?? {}, key)
      ? schema.properties![key]!
      : patterns.find(({ pattern }) => pattern.test(key))?.schema;
    if (!propertySchema) continue; // additional properties are allowed, and dropped
    const result = validate(propertyValue, propertySchema, propertyPath(path, key), strict);
    if (!result.valid) return result;
    setOwnProperty(parsed, key, result.value);
  }
  return { valid: true, value: parsed };
}

function propertyPath(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function failure(path: string, message: string): ValidationResult {
  return { valid: false, path, message };
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
