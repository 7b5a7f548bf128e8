// server/config.ts
var DEFAULT_HOST = "127.0.0.1";
var DEFAULT_PORT = 8888;
var DEFAULT_DATA_DIR = "./server-data";
var DEFAULT_COUNTRY = "US";
function settingsFromEnvironment(env) {
  return {
    host: DEFAULT_HOST,
    port: env.RECIPE_SERVER_PORT === void 0 ? DEFAULT_PORT : parsePort(env.RECIPE_SERVER_PORT),
    dataDir: env.RECIPE_SERVER_DATA || DEFAULT_DATA_DIR,
    country: env.RECIPE_SERVER_COUNTRY || DEFAULT_COUNTRY
  };
}
function parsePort(text) {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) {
    throw new Error(`RECIPE_SERVER_PORT must be an integer between 0 and 65535, got "${text}"`);
  }
  return port;
}
function publicUrls(host, port) {
  const serverUrl = `http://${host}:${port}`;
  return {
    serverUrl,
    remoteSettingsUrl: `${serverUrl}/v1`,
    legacyApiUrl: `${serverUrl}/api/v1/`
  };
}

// server/changeset.ts
var RECIPES_BUCKET = "main";
var RECIPES_COLLECTION = "normandy-recipes-capabilities";
function recipesChangeset(snapshot) {
  return {
    metadata: {
      id: RECIPES_COLLECTION,
      bucket: RECIPES_BUCKET,
      last_modified: snapshot.timestamp,
      signature: snapshot.signature,
      signatures: [{ ...snapshot.signature, mode: "p384ecdsa" }]
    },
    changes: snapshot.records,
    timestamp: snapshot.timestamp
  };
}

// server/recipeServer.ts
import { createServer } from "node:http";

// server/database.ts
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// server/atomicFile.ts
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
function writeFileAtomically(path, bytes) {
  const temporaryPath = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporaryPath, "w", 384);
  try {
    let written = 0;
    while (written < bytes.length) {
      written += writeSync(fd, bytes, written, bytes.length - written);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporaryPath, path);
  syncDirectory(dirname(path));
}
function syncDirectory(directory) {
  let fd;
  try {
    fd = openSync(directory, "r");
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
  } finally {
    closeSync(fd);
  }
}

// server/schemaMigrations.ts
var SCHEMA_MIGRATIONS = [
  `
  -- AUTOINCREMENT so a deleted recipe's id is never handed to a new recipe: clients key their
  -- enrollment state by recipe id.
  CREATE TABLE recipes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    action TEXT NOT NULL,
    arguments TEXT NOT NULL,          -- JSON object
    filter_expression TEXT NOT NULL,
    capabilities TEXT NOT NULL,       -- JSON array of extra capabilities (action.<name> is implied)
    enabled INTEGER NOT NULL,
    revision_id INTEGER NOT NULL,
    last_modified INTEGER NOT NULL    -- ms since epoch
  );

  -- Every signed collection the server has published; the newest row is what clients are served.
  CREATE TABLE published_snapshots (
    timestamp INTEGER PRIMARY KEY,    -- collection timestamp, strictly increasing
    server_url TEXT NOT NULL,         -- the base URL the x5u links were built for
    records TEXT NOT NULL,            -- JSON array of records, sorted by id, exactly as served
    signature TEXT NOT NULL           -- JSON {signature, x5u} of the collection
  );
  `
];

// server/database.ts
var DATABASE_FILE_NAME = "recipes.sqlite";
var requireFromHere = createRequire(import.meta.url);
var sqlJs;
function loadSqlJs() {
  if (!sqlJs) {
    const initSqlJs = requireFromHere("sql.js");
    const wasmFile = readFileSync(requireFromHere.resolve("sql.js/dist/sql-wasm.wasm"));
    sqlJs = initSqlJs({ wasmBinary: new Uint8Array(wasmFile).buffer });
  }
  return sqlJs;
}
var RecipeDatabase = class _RecipeDatabase {
  constructor(db, filePath, isNew) {
    this.db = db;
    this.filePath = filePath;
    this.isNew = isNew;
  }
  db;
  filePath;
  isNew;
  inWrite = false;
  static async open(dataDir) {
    mkdirSync(dataDir, { recursive: true });
    const filePath = join(dataDir, DATABASE_FILE_NAME);
    const isNew = !existsSync(filePath);
    const SQL = await loadSqlJs();
    const db = isNew ? new SQL.Database() : new SQL.Database(readFileSync(filePath));
    const database = new _RecipeDatabase(db, filePath, isNew);
    database.migrate();
    return database;
  }
  get schemaVersion() {
    return Number(this.rows("PRAGMA user_version")[0]?.["user_version"] ?? 0);
  }
  rows(sql, params) {
    const statement = this.db.prepare(sql);
    try {
      if (params) statement.bind(params);
      const result = [];
      while (statement.step()) result.push(statement.getAsObject());
      return result;
    } finally {
      statement.free();
    }
  }
  /** Runs one modifying statement. Only allowed inside `write`, so no change escapes persistence. */
  run(sql, params) {
    if (!this.inWrite) throw new Error("RecipeDatabase.run() must be called inside write()");
    this.db.run(sql, params);
  }
  /** The rowid assigned by the last INSERT inside the current write. */
  lastInsertId() {
    return Number(this.rows("SELECT last_insert_rowid() AS id")[0]?.["id"]);
  }
  /** Runs `work` as one transaction and persists the result; on an exception nothing changes. */
  write(work) {
    if (this.inWrite) return work();
    this.inWrite = true;
    this.db.run("BEGIN");
    try {
      const result = work();
      this.db.run("COMMIT");
      this.persist();
      return result;
    } catch (error) {
      this.db.run("ROLLBACK");
      throw error;
    } finally {
      this.inWrite = false;
    }
  }
  close() {
    this.db.close();
  }
  migrate() {
    const from = this.schemaVersion;
    if (from > SCHEMA_MIGRATIONS.length) {
      throw new Error(
        `${this.filePath} has schema version ${from}, newer than this server understands (${SCHEMA_MIGRATIONS.length})`
      );
    }
    if (from === SCHEMA_MIGRATIONS.length && !this.isNew) return;
    this.write(() => {
      for (const [index, migration] of SCHEMA_MIGRATIONS.entries()) {
        if (index >= from) this.db.exec(migration);
      }
      this.db.run(`PRAGMA user_version = ${SCHEMA_MIGRATIONS.length}`);
    });
  }
  persist() {
    writeFileAtomically(this.filePath, this.db.export());
  }
};

// server/httpResponse.ts
function jsonResponse(value, status = 200, headers = {}) {
  return { status, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(value) };
}
function htmlResponse(html2) {
  return {
    status: 200,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      // The page has no scripts; inline styles only.
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"
    },
    body: html2
  };
}
function pemResponse(pem) {
  return { status: 200, headers: { "Content-Type": "application/x-pem-file" }, body: pem };
}
function emptyResponse(status = 204, headers = {}) {
  return { status, headers, body: "" };
}
var HttpError = class extends Error {
  constructor(status, error, message, field) {
    super(message);
    this.status = status;
    this.error = error;
    this.field = field;
    this.name = "HttpError";
  }
  status;
  error;
  field;
};
function notFound(message) {
  return new HttpError(404, "not_found", message);
}
function errorResponse(error, headers = {}) {
  const body = { error: error.error, message: error.message };
  if (error.field !== void 0) body["field"] = error.field;
  return jsonResponse(body, error.status, headers);
}

// server/actionArguments.ts
var ACTION_NAMES = [
  "console-log",
  "preference-experiment",
  "multi-preference-experiment",
  "single-preference-experiment",
  "preference-rollout",
  "preference-rollback",
  "branched-addon-study",
  "addon-rollout",
  "addon-rollback",
  "show-heartbeat"
];
function isActionName(value) {
  return typeof value === "string" && ACTION_NAMES.includes(value);
}
var ARGUMENT_VALIDATORS = {
  "console-log": (args) => typeof args["message"] === "string" ? void 0 : { field: "arguments.message", message: "console-log needs a string `message`" }
};
function validateActionArguments(action, args) {
  return ARGUMENT_VALIDATORS[action]?.(args);
}

// server/recipeValidation.ts
var RecipeValidationError = class extends Error {
  constructor(message, field) {
    super(message);
    this.field = field;
    this.name = "RecipeValidationError";
  }
  field;
};
var WRITABLE_FIELDS = /* @__PURE__ */ new Set(["name", "action", "arguments", "filter_expression", "capabilities", "enabled"]);
var SERVER_OWNED_FIELDS = /* @__PURE__ */ new Set(["id", "revision_id", "last_modified"]);
function parseRecipeInput(body) {
  if (!isPlainObject(body)) throw new RecipeValidationError("the request body must be a JSON object");
  for (const key of Object.keys(body)) {
    if (!WRITABLE_FIELDS.has(key) && !SERVER_OWNED_FIELDS.has(key)) {
      throw new RecipeValidationError(`unknown field "${key}"`, key);
    }
  }
  const { name, action, arguments: args, filter_expression, capabilities = [], enabled } = body;
  if (!isNonBlankString(name)) throw new RecipeValidationError("name must be a non-empty string", "name");
  if (!isActionName(action)) {
    throw new RecipeValidationError(`action must be one of: ${ACTION_NAMES.join(", ")}`, "action");
  }
  if (!isPlainObject(args)) throw new RecipeValidationError("arguments must be a JSON object", "arguments");
  if (!isNonBlankString(filter_expression)) {
    throw new RecipeValidationError("filter_expression must be a non-empty string", "filter_expression");
  }
  if (!Array.isArray(capabilities) || !capabilities.every(isNonBlankString)) {
    throw new RecipeValidationError("capabilities must be an array of non-empty strings", "capabilities");
  }
  if (enabled !== void 0 && typeof enabled !== "boolean") {
    throw new RecipeValidationError("enabled must be true or false", "enabled");
  }
  const problem = validateActionArguments(action, args);
  if (problem) throw new RecipeValidationError(problem.message, problem.field);
  const fields = { name, action, arguments: args, filter_expression, capabilities };
  return enabled === void 0 ? { fields } : { fields, enabled };
}
function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function isNonBlankString(value) {
  return typeof value === "string" && value.trim() !== "";
}

// server/router.ts
function matchRoute(routes, method, pathname) {
  const allowed = [];
  for (const route of routes) {
    const match = route.path.exec(pathname);
    if (!match) continue;
    if (route.method === method) {
      return { kind: "found", route, params: match.slice(1).map((param) => decodePathParam(param ?? "")) };
    }
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "not-found" };
}
function decodePathParam(param) {
  try {
    return decodeURIComponent(param);
  } catch {
    throw new HttpError(400, "bad_request", "the URL path has a malformed %-escape");
  }
}

// server/httpServer.ts
var MAX_BODY_BYTES = 1024 * 1024;
var COMMON_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff"
};
var PREFLIGHT_HEADERS = {
  "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Max-Age": "600"
};
function createRequestListener(routing) {
  return (request, response) => {
    handle(request, routing).catch((error) => responseForError(error)).then((result) => send(response, request.method === "HEAD", result)).catch((error) => {
      console.error("recipe-server: failed to send a response", error);
      response.destroy();
    });
  };
}
async function handle(request, routing) {
  const { routes, serverOrigin } = await routing;
  const method = request.method ?? "GET";
  const url = new URL(request.url ?? "/", serverOrigin);
  if (method === "OPTIONS") return emptyResponse(204, PREFLIGHT_HEADERS);
  if (isStateChanging(method)) assertTrustedOrigin(request.headers.origin, serverOrigin);
  const match = matchRoute(routes, method === "HEAD" ? "GET" : method, url.pathname);
  if (match.kind === "not-found") throw new HttpError(404, "not_found", `no resource at ${url.pathname}`);
  if (match.kind === "wrong-method") {
    return errorResponse(new HttpError(405, "method_not_allowed", `${method} is not supported here`), {
      Allow: match.allowed.join(", ")
    });
  }
  return match.route.handle({
    params: match.params,
    query: url.searchParams,
    readJson: () => readJsonBody(request)
  });
}
function isStateChanging(method) {
  return !["GET", "HEAD", "OPTIONS"].includes(method);
}
function assertTrustedOrigin(origin, serverOrigin) {
  if (origin === void 0 || origin === serverOrigin || origin.startsWith("moz-extension://")) return;
  throw new HttpError(403, "forbidden_origin", `requests from ${origin} may not change recipes`);
}
async function readJsonBody(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "body_too_large", `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new HttpError(400, "invalid_json", "the request needs a JSON body");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, "invalid_json", `the request body is not valid JSON: ${error.message}`);
  }
}
function responseForError(error) {
  if (error instanceof HttpError) return errorResponse(error);
  if (error instanceof RecipeValidationError) {
    return errorResponse(new HttpError(400, "validation_error", error.message, error.field));
  }
  console.error("recipe-server: internal error", error);
  return errorResponse(new HttpError(500, "internal_error", "the server failed to handle this request"));
}
function send(response, headOnly, result) {
  const body = Buffer.from(result.body, "utf8");
  response.writeHead(result.status, {
    ...COMMON_HEADERS,
    ...result.headers,
    ...result.status === 204 ? {} : { "Content-Length": String(body.length) }
  });
  response.end(headOnly || result.status === 204 ? void 0 : body);
}

// server/pki.ts
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { mkdirSync as mkdirSync2, readFileSync as readFileSync2 } from "node:fs";
import { join as join2 } from "node:path";

// src/core/canonicalJson.ts
function canonicalJSON(value) {
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
      if (Array.isArray(data)) return `[${data.map((item) => item === void 0 ? "null" : canonicalJSON(item)).join(",")}]`;
      return canonicalObject(data);
    default:
      throw new TypeError(`canonicalJSON cannot serialize a ${typeof data}`);
  }
}
function canonicalObject(object) {
  const members = Object.keys(object).sort().filter((key) => object[key] !== void 0).map((key) => `${quote(key)}:${canonicalJSON(object[key])}`);
  return `{${members.join(",")}}`;
}
function hasToJSON(value) {
  return typeof value === "object" && value !== null && typeof value.toJSON === "function";
}
var SHORT_ESCAPES = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "	": "\\t"
};
var NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/g;
function quote(text) {
  const escaped = text.replace(
    NEEDS_ESCAPE,
    (unit) => SHORT_ESCAPES[unit] ?? `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`
  );
  return `"${escaped}"`;
}

// src/core/der.ts
var DerTag = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8_STRING: 12,
  PRINTABLE_STRING: 19,
  TELETEX_STRING: 20,
  IA5_STRING: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  BMP_STRING: 30,
  SEQUENCE: 48,
  SET: 49
};
var CONTEXT_CLASS = 128;
var CONSTRUCTED = 32;
function contextTag(number, constructed) {
  return CONTEXT_CLASS | (constructed ? CONSTRUCTED : 0) | number;
}
var DerError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "DerError";
  }
};
function readDer(bytes) {
  const elements = readElements(bytes);
  if (elements.length !== 1) throw new DerError(`expected one DER element, found ${elements.length}`);
  return elements[0];
}
function childrenOf(element, tag) {
  expectTag(element, tag);
  return readElements(element.contents);
}
function expectTag(element, tag) {
  if (element.tag !== tag) {
    throw new DerError(`expected tag 0x${tag.toString(16)}, found 0x${element.tag.toString(16)}`);
  }
  return element;
}
function readElements(bytes) {
  const elements = [];
  let offset = 0;
  while (offset < bytes.length) {
    const start = offset;
    const tag = bytes[offset++];
    if ((tag & 31) === 31) throw new DerError("multi-byte tag numbers are not supported");
    const length = readLength();
    if (offset + length > bytes.length) throw new DerError("element runs past the end of its container");
    elements.push({ tag, contents: bytes.subarray(offset, offset + length), encoded: bytes.subarray(start, offset + length) });
    offset += length;
  }
  return elements;
  function readLength() {
    if (offset >= bytes.length) throw new DerError("truncated length");
    const first = bytes[offset++];
    if (first < 128) return first;
    const octets = first & 127;
    if (octets === 0) throw new DerError("indefinite length is not DER");
    if (octets > 4 || offset + octets > bytes.length) throw new DerError("unsupported or truncated length");
    let length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + bytes[offset++];
    return length;
  }
}
function readOid(element) {
  const bytes = expectTag(element, DerTag.OID).contents;
  if (bytes.length === 0) throw new DerError("empty OID");
  const arcs = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 127);
    if (byte & 128) continue;
    arcs.push(value);
    value = 0;
  }
  if (bytes[bytes.length - 1] & 128) throw new DerError("truncated OID");
  const head = arcs.shift();
  const first = Math.min(Math.floor(head / 40), 2);
  return [first, head - first * 40, ...arcs].join(".");
}
function readBoolean(element) {
  const bytes = expectTag(element, DerTag.BOOLEAN).contents;
  if (bytes.length !== 1) throw new DerError("BOOLEAN must be one octet");
  return bytes[0] !== 0;
}
function readBitString(element) {
  const bytes = expectTag(element, DerTag.BIT_STRING).contents;
  if (bytes.length === 0 || bytes[0] > 7) throw new DerError("malformed BIT STRING");
  return bytes.subarray(1);
}
function readString(element) {
  const bytes = element.contents;
  switch (element.tag) {
    case DerTag.UTF8_STRING:
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    case DerTag.PRINTABLE_STRING:
    case DerTag.IA5_STRING:
    case DerTag.TELETEX_STRING:
      return String.fromCharCode(...bytes);
    case DerTag.BMP_STRING:
      return new TextDecoder("utf-16be", { fatal: true }).decode(bytes);
    default:
      throw new DerError(`tag 0x${element.tag.toString(16)} is not a supported string type`);
  }
}
function readTime(element) {
  const text = String.fromCharCode(...element.contents);
  let match;
  let year;
  if (element.tag === DerTag.UTC_TIME && (match = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text))) {
    const yy = Number(match[1]);
    year = yy >= 50 ? 1900 + yy : 2e3 + yy;
  } else if (element.tag === DerTag.GENERALIZED_TIME && (match = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\.\d+)?Z$/.exec(text))) {
    year = Number(match[1]);
  } else {
    throw new DerError(`malformed time ${JSON.stringify(text)}`);
  }
  const [month, day, hour, minute, second] = match.slice(2, 7).map(Number);
  const millis = match[7] ? Math.floor(Number(match[7]) * 1e3) : 0;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
}

// src/core/encoding.ts
var EncodingError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "EncodingError";
  }
};
var BASE64_BODY = /^[A-Za-z0-9+/]*$/;
function base64Decode(text) {
  return decodeAlphabet(text, BASE64_BODY, "base64");
}
function decodeAlphabet(text, body, name) {
  const unpadded = text.replace(/={1,2}$/, "");
  const padded = unpadded !== text;
  if (!body.test(unpadded) || unpadded.length % 4 === 1 || padded && text.length % 4 !== 0) {
    throw new EncodingError(`not valid ${name}`);
  }
  const standard = unpadded.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(standard.padEnd(Math.ceil(standard.length / 4) * 4, "="));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
function bytesEqual(a, b) {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

// src/core/oids.ts
var Oid = {
  commonName: "2.5.4.3",
  organizationName: "2.5.4.10",
  organizationalUnitName: "2.5.4.11",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extendedKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  ecPublicKey: "1.2.840.10045.2.1",
  rsaEncryption: "1.2.840.113549.1.1.1",
  p256: "1.2.840.10045.3.1.7",
  p384: "1.3.132.0.34",
  p521: "1.3.132.0.35",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  ecdsaWithSha384: "1.2.840.10045.4.3.3",
  ecdsaWithSha512: "1.2.840.10045.4.3.4",
  sha256WithRsaEncryption: "1.2.840.113549.1.1.11",
  sha384WithRsaEncryption: "1.2.840.113549.1.1.12",
  sha512WithRsaEncryption: "1.2.840.113549.1.1.13"
};

// src/core/x509.ts
var KEY_USAGE_BITS = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly"
];
var X509Error = class extends Error {
  constructor(message) {
    super(message);
    this.name = "X509Error";
  }
};
var PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/g;
function parsePemChain(pem) {
  return Array.from(
    pem.matchAll(PEM_CERTIFICATE),
    (match) => parseCertificate(base64Decode(match[1].replace(/\s+/g, "")))
  );
}
var SIGNATURE_ALGORITHMS = {
  [Oid.ecdsaWithSha256]: { scheme: "ecdsa", hash: "SHA-256" },
  [Oid.ecdsaWithSha384]: { scheme: "ecdsa", hash: "SHA-384" },
  [Oid.ecdsaWithSha512]: { scheme: "ecdsa", hash: "SHA-512" },
  [Oid.sha256WithRsaEncryption]: { scheme: "rsa-pkcs1", hash: "SHA-256" },
  [Oid.sha384WithRsaEncryption]: { scheme: "rsa-pkcs1", hash: "SHA-384" },
  [Oid.sha512WithRsaEncryption]: { scheme: "rsa-pkcs1", hash: "SHA-512" }
};
var CURVES = {
  [Oid.p256]: "P-256",
  [Oid.p384]: "P-384",
  [Oid.p521]: "P-521"
};
function parseCertificate(der) {
  const [tbs, outerAlgorithm, signatureValue, ...rest] = childrenOf(readDer(der), DerTag.SEQUENCE);
  if (!tbs || !outerAlgorithm || !signatureValue || rest.length) throw new X509Error("Certificate is not 3 elements");
  const fields = childrenOf(tbs, DerTag.SEQUENCE);
  const first = fields[0];
  const positional = first?.tag === contextTag(0, true) ? fields.slice(1) : fields;
  const [, innerAlgorithm, issuer, validity, subject, spki, ...optional] = positional;
  if (!innerAlgorithm || !issuer || !validity || !subject || !spki) throw new X509Error("TBSCertificate is truncated");
  if (!bytesEqual(innerAlgorithm.encoded, outerAlgorithm.encoded)) {
    throw new X509Error("signature algorithm differs inside and outside the TBSCertificate");
  }
  const [notBefore, notAfter] = childrenOf(validity, DerTag.SEQUENCE).map(readTime);
  if (!notBefore || !notAfter) throw new X509Error("Validity is truncated");
  const extensions = readExtensions(optional.find((field) => field.tag === contextTag(3, true)));
  const basicConstraints = extensions.get(Oid.basicConstraints);
  const keyUsage2 = extensions.get(Oid.keyUsage);
  const extendedKeyUsage = extensions.get(Oid.extendedKeyUsage);
  return {
    der,
    tbs: tbs.encoded,
    signatureAlgorithm: readSignatureAlgorithm(outerAlgorithm),
    signature: readBitString(signatureValue),
    issuer: readName(issuer),
    subject: readName(subject),
    notBefore,
    notAfter,
    publicKey: readPublicKeyInfo(spki),
    isCA: basicConstraints ? readIsCA(basicConstraints) : false,
    keyUsage: keyUsage2 ? readKeyUsage(keyUsage2) : void 0,
    extendedKeyUsage: extendedKeyUsage ? childrenOf(extendedKeyUsage, DerTag.SEQUENCE).map(readOid) : void 0
  };
}
function readSignatureAlgorithm(algorithmIdentifier) {
  const [oid] = childrenOf(algorithmIdentifier, DerTag.SEQUENCE);
  if (!oid) throw new X509Error("empty AlgorithmIdentifier");
  const algorithm = SIGNATURE_ALGORITHMS[readOid(oid)];
  if (!algorithm) throw new X509Error(`unsupported signature algorithm ${readOid(oid)}`);
  return algorithm;
}
function readPublicKeyInfo(spki) {
  const [algorithmIdentifier] = childrenOf(spki, DerTag.SEQUENCE);
  if (!algorithmIdentifier) throw new X509Error("empty SubjectPublicKeyInfo");
  const [oid, parameters] = childrenOf(algorithmIdentifier, DerTag.SEQUENCE);
  const keyOid = oid ? readOid(oid) : "";
  if (keyOid === Oid.rsaEncryption) return { spki: spki.encoded, type: { kind: "rsa" } };
  if (keyOid === Oid.ecPublicKey && parameters?.tag === DerTag.OID) {
    const curve = CURVES[readOid(parameters)];
    if (curve) return { spki: spki.encoded, type: { kind: "ec", curve } };
  }
  throw new X509Error(`unsupported public key algorithm ${keyOid}`);
}
function readName(name) {
  let commonName;
  for (const relativeName of childrenOf(name, DerTag.SEQUENCE)) {
    for (const attribute of childrenOf(relativeName, DerTag.SET)) {
      const [type, value] = childrenOf(attribute, DerTag.SEQUENCE);
      if (type && value && readOid(type) === Oid.commonName) commonName = readString(value);
    }
  }
  return { der: name.encoded, commonName };
}
function readExtensions(wrapper) {
  const extensions = /* @__PURE__ */ new Map();
  if (!wrapper) return extensions;
  const [list] = childrenOf(wrapper, contextTag(3, true));
  if (!list) throw new X509Error("empty extensions");
  for (const extension2 of childrenOf(list, DerTag.SEQUENCE)) {
    const parts = childrenOf(extension2, DerTag.SEQUENCE);
    const oid = parts[0];
    const value = parts[parts.length - 1];
    if (!oid || !value || parts.length > 3) throw new X509Error("malformed extension");
    const id = readOid(oid);
    if (extensions.has(id)) throw new X509Error(`duplicate extension ${id}`);
    extensions.set(id, readDer(expectTag(value, DerTag.OCTET_STRING).contents));
  }
  return extensions;
}
function readIsCA(basicConstraints) {
  const [cA] = childrenOf(basicConstraints, DerTag.SEQUENCE);
  return cA?.tag === DerTag.BOOLEAN ? readBoolean(cA) : false;
}
function readKeyUsage(keyUsage2) {
  const bits = readBitString(keyUsage2);
  return new Set(KEY_USAGE_BITS.filter((_, index) => (bits[index >> 3] ?? 0) >> 7 - (index & 7) & 1));
}

// src/core/contentSignature.ts
var CONTENT_SIGNATURE_PREFIX = "Content-Signature:\0";

// src/core/derWriter.ts
function derElement(tag, contents) {
  const length = encodeLength(contents.length);
  const element = new Uint8Array(1 + length.length + contents.length);
  element[0] = tag;
  element.set(length, 1);
  element.set(contents, 1 + length.length);
  return element;
}
function encodeLength(length) {
  if (length < 128) return [length];
  const octets = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest & 255);
  return [128 | octets.length, ...octets];
}
function derSequence(...children) {
  return derElement(DerTag.SEQUENCE, concatBytes(children));
}
function derSet(child) {
  return derElement(DerTag.SET, child);
}
function derInteger(magnitude) {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const minimal = magnitude.subarray(start);
  const contents = minimal.length === 0 || minimal[0] & 128 ? concatBytes([Uint8Array.of(0), minimal]) : minimal;
  return derElement(DerTag.INTEGER, contents);
}
function derBoolean(value) {
  return derElement(DerTag.BOOLEAN, Uint8Array.of(value ? 255 : 0));
}
function derOid(oid) {
  const [first = 0, second = 0, ...rest] = oid.split(".").map(Number);
  const octets = [40 * first + second, ...rest].flatMap(base128);
  return derElement(DerTag.OID, Uint8Array.from(octets));
}
function base128(value) {
  const digits = [value & 127];
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) digits.unshift(128 | rest & 127);
  return digits;
}
function derBitString(bytes, unusedBits = 0) {
  return derElement(DerTag.BIT_STRING, concatBytes([Uint8Array.of(unusedBits), bytes]));
}
function derNamedBits(bitIndexes) {
  const highest = Math.max(-1, ...bitIndexes);
  const bytes = new Uint8Array(Math.ceil((highest + 1) / 8));
  for (const index of bitIndexes) bytes[index >> 3] |= 128 >> (index & 7);
  return derBitString(bytes, bytes.length * 8 - (highest + 1));
}
function derOctetString(bytes) {
  return derElement(DerTag.OCTET_STRING, bytes);
}
function derUtf8String(text) {
  return derElement(DerTag.UTF8_STRING, new TextEncoder().encode(text));
}
function derIa5String(text) {
  if (!/^[\x00-\x7f]*$/.test(text)) throw new RangeError("IA5String holds ASCII only");
  return derElement(DerTag.IA5_STRING, new TextEncoder().encode(text));
}
function derTime(date) {
  const iso = date.toISOString();
  const digits = iso.slice(0, 19).replace(/\D/g, "");
  const year = date.getUTCFullYear();
  const [tag, text] = year >= 1950 && year < 2050 ? [DerTag.UTC_TIME, digits.slice(2)] : [DerTag.GENERALIZED_TIME, digits];
  return derElement(tag, new TextEncoder().encode(`${text}Z`));
}
function derExplicit(number, element) {
  return derElement(contextTag(number, true), element);
}
function derImplicit(number, element) {
  const retagged = element.slice();
  retagged[0] = contextTag(number, (element[0] & 32) !== 0);
  return retagged;
}
function concatBytes(parts) {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

// server/pki.ts
var SIGNER_NAMES = ["normandy.content-signature.mozilla.org", "remote-settings.content-signature.mozilla.org"];
var ORGANIZATION = "Normandy local recipe server";
var ROOT_NAME = "Normandy local content-signature root";
var INTERMEDIATE_NAME = "Normandy local content-signature intermediate";
var BACKDATE_MS = 24 * 60 * 60 * 1e3;
async function loadOrCreatePki(dataDir, options = {}) {
  const directory = join2(dataDir, "pki");
  mkdirSync2(directory, { recursive: true, mode: 448 });
  const now = options.now ?? /* @__PURE__ */ new Date();
  const store = { directory, now };
  const root = ensureIdentity(store, "root", { commonName: ROOT_NAME, years: 10, extensions: caExtensions() });
  const intermediate = ensureIdentity(
    store,
    "intermediate",
    { commonName: INTERMEDIATE_NAME, years: 5, extensions: caExtensions() },
    root
  );
  const chains = /* @__PURE__ */ new Map();
  for (const signer of SIGNER_NAMES) {
    const leaf = ensureIdentity(store, signer, { commonName: signer, years: 1, extensions: signerExtensions(signer) }, intermediate);
    chains.set(signer, { privateKey: leaf.identity.privateKey, pem: leaf.identity.pem + intermediate.identity.pem + root.identity.pem });
  }
  const chainFor = (signer) => {
    const chain = chains.get(signer);
    if (!chain) throw new Error(`unknown signer ${signer}`);
    return chain;
  };
  return {
    rootHash: fingerprint(root.identity.certificate.der),
    chainPem: (signer) => chainFor(signer).pem,
    sign: (signer, data) => signContent(chainFor(signer).privateKey, data)
  };
}
function signContent(privateKey, data) {
  const signed = Buffer.from(CONTENT_SIGNATURE_PREFIX + data, "utf8");
  return new Promise((resolve, reject) => {
    sign("sha384", signed, { key: privateKey, dsaEncoding: "ieee-p1363" }, (error, signature) => {
      if (error) reject(error);
      else resolve(signature.toString("base64url"));
    });
  });
}
function ensureIdentity(store, fileName, profile, issuer) {
  const keyPath = join2(store.directory, `${fileName}.key.pem`);
  const certificatePath = join2(store.directory, `${fileName}.cert.pem`);
  const existing = readIdentity(keyPath, certificatePath);
  if (existing && !issuer?.issued && isValidAt(existing.certificate, store.now)) return { identity: existing, issued: false };
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const notBefore = new Date(store.now.getTime() - BACKDATE_MS);
  const notAfter = new Date(store.now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + profile.years);
  const issuerCertificate = issuer?.identity.certificate;
  const der = issueCertificate({
    subjectName: profile.commonName,
    publicKey,
    // A certificate never outlives its issuer.
    notBefore,
    notAfter: issuerCertificate && issuerCertificate.notAfter < notAfter ? issuerCertificate.notAfter : notAfter,
    extensions: profile.extensions,
    issuerName: issuerCertificate?.subject.der ?? distinguishedName(profile.commonName),
    issuerKey: issuer?.identity.privateKey ?? privateKey
  });
  const pem = toPem(der);
  writeFileAtomically(keyPath, Buffer.from(privateKey.export({ type: "pkcs8", format: "pem" })));
  writeFileAtomically(certificatePath, Buffer.from(pem));
  return { identity: { privateKey, certificate: parsePemChain(pem)[0], pem }, issued: true };
}
function readIdentity(keyPath, certificatePath) {
  let keyPem;
  let pem;
  try {
    keyPem = readFileSync2(keyPath, "utf8");
    pem = readFileSync2(certificatePath, "utf8");
  } catch (error) {
    if (error.code === "ENOENT") return void 0;
    throw error;
  }
  const privateKey = createPrivateKey(keyPem);
  const [certificate] = parsePemChain(pem);
  const publicKeyDer = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  if (!certificate || !publicKeyDer.equals(certificate.publicKey.spki)) return void 0;
  return { privateKey, certificate, pem };
}
function isValidAt(certificate, now) {
  return certificate.notBefore <= now && now <= certificate.notAfter;
}
var ECDSA_WITH_SHA384 = derSequence(derOid(Oid.ecdsaWithSha384));
function issueCertificate(request) {
  const serial = randomBytes(16);
  serial[0] &= 127;
  const tbs = derSequence(
    derExplicit(0, derInteger(Uint8Array.of(2))),
    // v3
    derInteger(serial),
    ECDSA_WITH_SHA384,
    request.issuerName,
    derSequence(derTime(request.notBefore), derTime(request.notAfter)),
    distinguishedName(request.subjectName),
    request.publicKey.export({ type: "spki", format: "der" }),
    derExplicit(3, derSequence(...request.extensions))
  );
  const signature = sign("sha384", tbs, request.issuerKey);
  return derSequence(tbs, ECDSA_WITH_SHA384, derBitString(signature));
}
function distinguishedName(commonName) {
  const attribute = (oid, value) => derSet(derSequence(derOid(oid), derUtf8String(value)));
  return derSequence(attribute(Oid.organizationName, ORGANIZATION), attribute(Oid.commonName, commonName));
}
function caExtensions() {
  return [
    extension(Oid.basicConstraints, true, derSequence(derBoolean(true))),
    extension(Oid.keyUsage, true, keyUsage("keyCertSign", "cRLSign"))
  ];
}
function signerExtensions(signer) {
  return [
    // cA FALSE is the DEFAULT, which DER leaves out: an empty SEQUENCE.
    extension(Oid.basicConstraints, true, derSequence()),
    extension(Oid.keyUsage, true, keyUsage("digitalSignature")),
    extension(Oid.extendedKeyUsage, false, derSequence(derOid(Oid.codeSigning))),
    extension(Oid.subjectAltName, false, derSequence(derImplicit(2, derIa5String(signer))))
  ];
}
function extension(oid, critical, value) {
  return derSequence(derOid(oid), ...critical ? [derBoolean(true)] : [], derOctetString(value));
}
function keyUsage(...usages) {
  return derNamedBits(usages.map((usage) => KEY_USAGE_BITS.indexOf(usage)));
}
function toPem(der) {
  const lines = Buffer.from(der).toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----
${lines.join("\n")}
-----END CERTIFICATE-----
`;
}
function fingerprint(der) {
  return createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g).join(":");
}

// server/signers.ts
var RECIPE_SIGNER = "normandy.content-signature.mozilla.org";
var COLLECTION_SIGNER = "remote-settings.content-signature.mozilla.org";
var SIGNERS = [RECIPE_SIGNER, COLLECTION_SIGNER];
function chainPath(signer) {
  return `/chains/${signer}.pem`;
}
function chainUrl(serverUrl, signer) {
  return `${serverUrl}${chainPath(signer)}`;
}

// server/publicConfig.ts
function publicConfig(urls, pki) {
  return { ...urls, rootHash: pki.rootHash, recipeSigner: RECIPE_SIGNER, collectionSigner: COLLECTION_SIGNER };
}

// src/core/collectionSignedData.ts
function collectionSignedData(records, timestamp) {
  const live = records.filter((record) => !record.deleted);
  const sorted = [...live].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return canonicalJSON({ data: sorted, last_modified: String(timestamp) });
}

// server/publisher.ts
var Publisher = class {
  constructor(recipes, snapshots, pki, serverUrl, now) {
    this.recipes = recipes;
    this.snapshots = snapshots;
    this.pki = pki;
    this.serverUrl = serverUrl;
    this.now = now;
  }
  recipes;
  snapshots;
  pki;
  serverUrl;
  now;
  /** Publishes run one at a time, so timestamps and "previous snapshot" are never raced. */
  queue = Promise.resolve();
  /** The snapshot clients are served. Call `prepare()` once before. */
  current() {
    const snapshot = this.snapshots.latest();
    if (!snapshot) throw new Error("nothing published yet: Publisher.prepare() was not called");
    return snapshot;
  }
  /**
   * Makes sure there is a snapshot valid for this server URL: an empty signed collection on a first
   * start, or, when the server now runs at another URL (another port), the last published recipes
   * re-published so every x5u link points here. Live edits are not published by this.
   */
  prepare() {
    return this.serialized(async () => {
      const latest = this.snapshots.latest();
      if (!latest) return this.publishRecipes([], void 0);
      if (latest.serverUrl !== this.serverUrl) {
        return this.publishRecipes(
          latest.records.map((record) => record.recipe),
          latest
        );
      }
      return latest;
    });
  }
  /** Signs every enabled recipe and the collection, and makes that the served snapshot. */
  publish() {
    return this.serialized(async () => {
      const enabled = this.recipes.list().filter((recipe) => recipe.enabled);
      return this.publishRecipes(enabled.map(minimalRecipe), this.snapshots.latest());
    });
  }
  async publishRecipes(recipes, previous) {
    const timestamp = Math.max(this.now().getTime(), (previous?.timestamp ?? 0) + 1);
    const previousById = new Map(previous?.records.map((record) => [record.id, record]));
    const records = await Promise.all(
      recipes.map((recipe) => this.recordFor(recipe, previousById.get(String(recipe.id)), timestamp))
    );
    records.sort((a, b) => a.recipe.id - b.recipe.id);
    const signature = {
      signature: await this.pki.sign(COLLECTION_SIGNER, collectionSignedData(records, timestamp)),
      x5u: chainUrl(this.serverUrl, COLLECTION_SIGNER)
    };
    const snapshot = { timestamp, serverUrl: this.serverUrl, records, signature };
    this.snapshots.save(snapshot);
    return snapshot;
  }
  /**
   * An unchanged recipe keeps its previous record (same signature and last_modified), as a Remote
   * Settings record does when it is not edited; anything else is signed afresh and stamped `timestamp`.
   */
  async recordFor(recipe, previous, timestamp) {
    const x5u = chainUrl(this.serverUrl, RECIPE_SIGNER);
    const signedText = canonicalJSON(recipe);
    if (previous && previous.signature.x5u === x5u && canonicalJSON(previous.recipe) === signedText) {
      return previous;
    }
    return {
      id: String(recipe.id),
      recipe,
      signature: {
        signature: await this.pki.sign(RECIPE_SIGNER, signedText),
        x5u,
        public_key: "",
        timestamp
      },
      last_modified: timestamp
    };
  }
  /** Resolves once no publish is running (used before closing the database). */
  async whenIdle() {
    await this.queue;
  }
  serialized(work) {
    const result = this.queue.then(work);
    this.queue = result.catch(() => void 0);
    return result;
  }
};
function minimalRecipe(recipe) {
  const capabilities = [.../* @__PURE__ */ new Set([...recipe.capabilities, `action.${recipe.action}`])].sort();
  return {
    id: recipe.id,
    name: recipe.name,
    revision_id: String(recipe.revision_id),
    action: recipe.action,
    arguments: recipe.arguments,
    filter_expression: recipe.filter_expression,
    capabilities
  };
}

// server/recipeStore.ts
var RecipeStore = class {
  constructor(database, now) {
    this.database = database;
    this.now = now;
  }
  database;
  now;
  list() {
    return this.database.rows("SELECT * FROM recipes ORDER BY id").map(recipeFromRow);
  }
  get(id) {
    const row = this.database.rows("SELECT * FROM recipes WHERE id = ?", [id])[0];
    return row && recipeFromRow(row);
  }
  create(fields, enabled = false) {
    return this.database.write(() => {
      this.database.run(
        `INSERT INTO recipes (name, action, arguments, filter_expression, capabilities, enabled, revision_id, last_modified)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?)`,
        [...fieldColumns(fields), enabled ? 1 : 0, this.now().getTime()]
      );
      return this.mustGet(this.database.lastInsertId());
    });
  }
  /**
   * Replaces the recipe's content and bumps its revision; `enabled` too when given. Undefined if there
   * is no such recipe.
   */
  update(id, fields, enabled) {
    return this.database.write(() => {
      this.database.run(
        `UPDATE recipes SET name = ?, action = ?, arguments = ?, filter_expression = ?, capabilities = ?,
           enabled = COALESCE(?, enabled), revision_id = revision_id + 1, last_modified = ? WHERE id = ?`,
        [...fieldColumns(fields), enabled === void 0 ? null : enabled ? 1 : 0, this.now().getTime(), id]
      );
      return this.get(id);
    });
  }
  setEnabled(id, enabled) {
    return this.database.write(() => {
      this.database.run("UPDATE recipes SET enabled = ?, last_modified = ? WHERE id = ?", [
        enabled ? 1 : 0,
        this.now().getTime(),
        id
      ]);
      return this.get(id);
    });
  }
  /** True if a recipe was deleted. */
  delete(id) {
    return this.database.write(() => {
      const existed = this.get(id) !== void 0;
      this.database.run("DELETE FROM recipes WHERE id = ?", [id]);
      return existed;
    });
  }
  mustGet(id) {
    const recipe = this.get(id);
    if (!recipe) throw new Error(`recipe ${id} vanished inside its own transaction`);
    return recipe;
  }
};
function fieldColumns(fields) {
  return [
    fields.name,
    fields.action,
    JSON.stringify(fields.arguments),
    fields.filter_expression,
    JSON.stringify(fields.capabilities)
  ];
}
function recipeFromRow(row) {
  return {
    id: Number(row["id"]),
    name: String(row["name"]),
    action: String(row["action"]),
    arguments: JSON.parse(String(row["arguments"])),
    filter_expression: String(row["filter_expression"]),
    capabilities: JSON.parse(String(row["capabilities"])),
    enabled: row["enabled"] === 1,
    revision_id: Number(row["revision_id"]),
    last_modified: Number(row["last_modified"])
  };
}

// server/routes/adminApiRoutes.ts
function adminApiRoutes(app) {
  const { store, publisher } = app;
  function recipeFrom(request) {
    const id = Number(request.params[0]);
    const recipe = store.get(id);
    if (!recipe) throw notFound(`there is no recipe ${id}`);
    return recipe;
  }
  function found(recipe, id) {
    if (!recipe) throw notFound(`there is no recipe ${id}`);
    return recipe;
  }
  return [
    {
      method: "GET",
      path: /^\/admin\/api\/recipes$/,
      handle: () => jsonResponse({ recipes: store.list() })
    },
    {
      method: "POST",
      path: /^\/admin\/api\/recipes$/,
      handle: async (request) => {
        const input = parseRecipeInput(await request.readJson());
        const recipe = store.create(input.fields, input.enabled ?? false);
        return jsonResponse(recipe, 201, { Location: `${app.urls.serverUrl}/admin/api/recipes/${recipe.id}` });
      }
    },
    {
      method: "GET",
      path: /^\/admin\/api\/recipes\/(\d+)$/,
      handle: (request) => jsonResponse(recipeFrom(request))
    },
    {
      method: "PUT",
      path: /^\/admin\/api\/recipes\/(\d+)$/,
      handle: async (request) => {
        const { id } = recipeFrom(request);
        const input = parseRecipeInput(await request.readJson());
        return jsonResponse(found(store.update(id, input.fields, input.enabled), id));
      }
    },
    {
      method: "DELETE",
      path: /^\/admin\/api\/recipes\/(\d+)$/,
      handle: (request) => {
        const { id } = recipeFrom(request);
        store.delete(id);
        return emptyResponse();
      }
    },
    {
      method: "POST",
      path: /^\/admin\/api\/recipes\/(\d+)\/(enable|disable)$/,
      handle: (request) => {
        const { id } = recipeFrom(request);
        return jsonResponse(found(store.setEnabled(id, request.params[1] === "enable"), id));
      }
    },
    {
      method: "POST",
      path: /^\/admin\/api\/publish$/,
      handle: async () => {
        const snapshot = await publisher.publish();
        return jsonResponse({ timestamp: snapshot.timestamp, published: snapshot.records.map((r) => r.recipe.id) });
      }
    },
    {
      method: "GET",
      path: /^\/admin\/api\/snapshots$/,
      handle: () => jsonResponse({ timestamps: app.snapshots.timestamps() })
    },
    {
      method: "GET",
      // A past published state, in the changeset shape, so tests can replay what clients saw then.
      path: /^\/admin\/api\/snapshots\/(\d+)$/,
      handle: ({ params: [timestamp] }) => {
        const snapshot = app.snapshots.at(Number(timestamp));
        if (!snapshot) throw notFound(`nothing was published at ${timestamp ?? ""}`);
        return jsonResponse(recipesChangeset(snapshot));
      }
    },
    {
      method: "GET",
      path: /^\/admin\/api\/config$/,
      handle: () => jsonResponse(publicConfig(app.urls, app.pki))
    }
  ];
}

// server/routes/legacyApiRoutes.ts
function legacyApiRoutes(app) {
  const base = app.urls.legacyApiUrl;
  return [
    {
      method: "GET",
      path: /^\/api\/v1\/?$/,
      handle: () => jsonResponse({
        "recipe-signed": `${base}recipe/signed/`,
        "classify-client": `${base}classify_client/`,
        "extension-list": `${base}extension/`
      })
    },
    {
      method: "GET",
      // Normandy asked for `?enabled=true`; only enabled recipes are ever published, so it changes nothing.
      path: /^\/api\/v1\/recipe\/signed\/?$/,
      handle: () => jsonResponse(
        app.publisher.current().records.map(({ recipe, signature }) => ({ recipe, signature }))
      )
    },
    {
      method: "GET",
      path: /^\/api\/v1\/classify_client\/?$/,
      handle: () => jsonResponse({ country: app.country, request_time: app.now().toISOString() })
    },
    {
      method: "GET",
      path: /^\/api\/v1\/extension\/([^/]+)\/?$/,
      handle: ({ params: [id] }) => {
        throw notFound(`no extension with id ${id ?? ""}: this server hosts no add-ons yet`);
      }
    }
  ];
}

// server/routes/remoteSettingsRoutes.ts
import { createHash as createHash2 } from "node:crypto";
function remoteSettingsRoutes(app) {
  return [
    {
      method: "GET",
      path: /^\/v1\/?$/,
      handle: () => jsonResponse({
        project_name: "recipe-server",
        http_api_version: "1.22",
        url: `${app.urls.remoteSettingsUrl}/`
      })
    },
    {
      method: "GET",
      path: /^\/v1\/buckets\/([^/]+)\/collections\/([^/]+)\/changeset$/,
      handle: ({ params: [bucket, collection] }) => {
        if (bucket === "monitor" && collection === "changes") {
          const timestamp = app.publisher.current().timestamp;
          return jsonResponse({
            metadata: { id: "changes", bucket: "monitor" },
            changes: [
              {
                id: monitorEntryId(RECIPES_BUCKET, RECIPES_COLLECTION),
                bucket: RECIPES_BUCKET,
                collection: RECIPES_COLLECTION,
                last_modified: timestamp
              }
            ],
            timestamp
          });
        }
        if (bucket === RECIPES_BUCKET && collection === RECIPES_COLLECTION) {
          return jsonResponse(recipesChangeset(app.publisher.current()));
        }
        throw notFound(`this server has no collection ${bucket}/${collection}`);
      }
    }
  ];
}
function monitorEntryId(bucket, collection) {
  const hex = createHash2("md5").update(`/buckets/${bucket}/collections/${collection}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// server/html.ts
var SafeHtml = class {
  constructor(text) {
    this.text = text;
  }
  text;
  toString() {
    return this.text;
  }
};
function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
function html(strings, ...values) {
  let text = strings[0] ?? "";
  values.forEach((value, index) => {
    text += fragment(value) + (strings[index + 1] ?? "");
  });
  return new SafeHtml(text);
}
function fragment(value) {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(fragment).join("");
  return escapeHtml(String(value ?? ""));
}

// server/recipesPage.ts
function renderRecipesPage({ config, recipes, published }) {
  const changesetUrl = `${config.remoteSettingsUrl}/buckets/${RECIPES_BUCKET}/collections/${RECIPES_COLLECTION}/changeset`;
  const publishedRevisions = new Map(published.records.map((record) => [record.recipe.id, record.recipe.revision_id]));
  const rows = recipes.map(
    (recipe) => html`<tr>
          <td>${recipe.id}</td>
          <td>${recipe.name}</td>
          <td><code>${recipe.action}</code></td>
          <td>${recipe.enabled ? "Yes" : "No"}</td>
          <td>${recipe.revision_id}</td>
          <td>${publishState(recipe, publishedRevisions.get(recipe.id))}</td>
        </tr>`
  );
  const page = html`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Local recipe server</title>
    <style>
      body { font-family: system-ui, sans-serif; margin: 2rem; line-height: 1.4; }
      table { border-collapse: collapse; }
      th, td { border: 1px solid #888; padding: 0.25rem 0.5rem; text-align: left; }
      caption { font-weight: bold; text-align: left; padding-bottom: 0.25rem; }
      code { overflow-wrap: anywhere; }
    </style>
  </head>
  <body>
    <main>
      <h1>Local recipe server</h1>
      <section aria-labelledby="config-heading">
        <h2 id="config-heading">Point the add-on at this server</h2>
        <table>
          <caption>Settings the add-on needs</caption>
          <thead><tr><th scope="col">Setting</th><th scope="col">Value</th></tr></thead>
          <tbody>
            ${settingRow("Server URL", config.serverUrl)}
            ${settingRow("Remote Settings URL", config.remoteSettingsUrl)}
            ${settingRow("Legacy Normandy API URL", config.legacyApiUrl)}
            ${settingRow("Root certificate SHA-256 (pinned root hash)", config.rootHash)}
            ${settingRow("Recipe signer", config.recipeSigner)}
            ${settingRow("Collection signer", config.collectionSigner)}
          </tbody>
        </table>
        <p>Recipes changeset: <a href="${changesetUrl}">${changesetUrl}</a></p>
        <p>Last published: <time datetime="${new Date(published.timestamp).toISOString()}">${new Date(published.timestamp).toISOString()}</time> (collection timestamp ${published.timestamp})</p>
      </section>
      <section aria-labelledby="recipes-heading">
        <h2 id="recipes-heading">Recipes</h2>
        <table>
          <caption>All recipes on this server; clients see only the published ones</caption>
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Name</th>
              <th scope="col">Action</th>
              <th scope="col">Enabled</th>
              <th scope="col">Revision</th>
              <th scope="col">Published</th>
            </tr>
          </thead>
          <tbody>
            ${rows.length > 0 ? rows : html`<tr><td colspan="6">No recipes yet.</td></tr>`}
          </tbody>
        </table>
      </section>
    </main>
  </body>
</html>
`;
  return page.text;
}
function settingRow(label, value) {
  return html`<tr><th scope="row">${label}</th><td><code>${value}</code></td></tr>`;
}
function publishState(recipe, publishedRevision) {
  if (publishedRevision === void 0) return "No";
  if (recipe.enabled && publishedRevision === String(recipe.revision_id)) return "Yes";
  return `Revision ${publishedRevision}; changes not published yet`;
}

// server/routes/siteRoutes.ts
function siteRoutes(app) {
  return [
    {
      method: "GET",
      path: /^\/$/,
      handle: () => htmlResponse(
        renderRecipesPage({
          config: publicConfig(app.urls, app.pki),
          recipes: app.store.list(),
          published: app.publisher.current()
        })
      )
    },
    {
      method: "GET",
      path: /^\/healthz$/,
      handle: () => jsonResponse({ ok: true })
    },
    {
      method: "GET",
      path: /^\/chains\/([^/]+)\.pem$/,
      handle: ({ params: [name] }) => {
        const signer = SIGNERS.find((candidate) => candidate === name);
        if (!signer) throw notFound(`no certificate chain for ${name ?? ""}`);
        return pemResponse(app.pki.chainPem(signer));
      }
    }
  ];
}

// server/snapshotStore.ts
var SnapshotStore = class {
  constructor(database) {
    this.database = database;
  }
  database;
  latest() {
    const row = this.database.rows("SELECT * FROM published_snapshots ORDER BY timestamp DESC LIMIT 1")[0];
    return row && snapshotFromRow(row);
  }
  at(timestamp) {
    const row = this.database.rows("SELECT * FROM published_snapshots WHERE timestamp = ?", [timestamp])[0];
    return row && snapshotFromRow(row);
  }
  /** Every published collection timestamp, oldest first. */
  timestamps() {
    return this.database.rows("SELECT timestamp FROM published_snapshots ORDER BY timestamp").map((row) => Number(row["timestamp"]));
  }
  save(snapshot) {
    this.database.write(
      () => this.database.run("INSERT INTO published_snapshots (timestamp, server_url, records, signature) VALUES (?, ?, ?, ?)", [
        snapshot.timestamp,
        snapshot.serverUrl,
        JSON.stringify(snapshot.records),
        JSON.stringify(snapshot.signature)
      ])
    );
  }
};
function snapshotFromRow(row) {
  return {
    timestamp: Number(row["timestamp"]),
    serverUrl: String(row["server_url"]),
    records: JSON.parse(String(row["records"])),
    signature: JSON.parse(String(row["signature"]))
  };
}

// server/recipeServer.ts
async function startRecipeServer(options) {
  const now = options.now ?? (() => /* @__PURE__ */ new Date());
  const host = options.host ?? DEFAULT_HOST;
  const database = await RecipeDatabase.open(options.dataDir);
  let server;
  let announceRouting = () => void 0;
  let failRouting = () => void 0;
  const routing = new Promise((resolve, reject) => {
    announceRouting = resolve;
    failRouting = reject;
  });
  routing.catch(() => void 0);
  try {
    const pki = await loadOrCreatePki(options.dataDir, { now: now() });
    const store = new RecipeStore(database, now);
    const snapshots = new SnapshotStore(database);
    server = createServer(createRequestListener(routing));
    const port = await listen(server, options.port ?? DEFAULT_PORT, host);
    const urls = publicUrls(host, port);
    const publisher = new Publisher(store, snapshots, pki, urls.serverUrl, now);
    await publisher.prepare();
    const app = { urls, store, publisher, snapshots, pki, country: options.country ?? DEFAULT_COUNTRY, now };
    const routes = [...siteRoutes(app), ...remoteSettingsRoutes(app), ...legacyApiRoutes(app), ...adminApiRoutes(app)];
    announceRouting({ routes, serverOrigin: urls.serverUrl });
    const listening = server;
    let closing;
    return {
      url: urls.serverUrl,
      port,
      config: publicConfig(urls, pki),
      store,
      firstStart: database.isNew,
      publish: () => publisher.publish(),
      close: () => closing ??= (async () => {
        await stopListening(listening);
        await publisher.whenIdle();
        database.close();
      })()
    };
  } catch (error) {
    failRouting(error);
    if (server?.listening) await stopListening(server);
    database.close();
    throw error;
  }
}
function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address().port);
    });
  });
}
function stopListening(server) {
  return new Promise((resolve, reject) => {
    server.close((error) => error ? reject(error) : resolve());
    server.closeAllConnections();
  });
}

// server/main.ts
var SAMPLE_RECIPE = {
  name: "Hello from the local recipe server",
  action: "console-log",
  arguments: { message: "Hello from the local recipe server" },
  filter_expression: "true",
  capabilities: []
};
async function main() {
  const settings = settingsFromEnvironment(process.env);
  const server = await startRecipeServer(settings);
  if (server.firstStart) {
    server.store.create(SAMPLE_RECIPE, true);
    await server.publish();
  }
  printWelcome(server);
  stopOnSignals(server);
}
function printWelcome(server) {
  const { config } = server;
  console.log(
    [
      `Local recipe server running at ${server.url}/`,
      `  Recipes changeset: ${config.remoteSettingsUrl}/buckets/${RECIPES_BUCKET}/collections/${RECIPES_COLLECTION}/changeset`,
      "Configure the add-on with:",
      `  server URL: ${config.serverUrl}`,
      `  Remote Settings URL: ${config.remoteSettingsUrl}`,
      `  root hash: ${config.rootHash}`,
      `  recipe signer: ${config.recipeSigner}`,
      "Press Ctrl+C to stop."
    ].join("\n")
  );
}
function stopOnSignals(server) {
  const stop = (signal) => {
    console.log(`
${signal} received, stopping the recipe server.`);
    server.close().then(
      () => process.exit(0),
      (error) => {
        console.error("recipe-server: failed to stop cleanly", error);
        process.exit(1);
      }
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
main().catch((error) => {
  console.error("recipe-server: failed to start", error);
  process.exit(1);
});
