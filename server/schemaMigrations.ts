/**
 * The database schema as an ordered list of migrations. Migration `i` takes the schema from version `i`
 * to `i + 1` (the version lives in SQLite's `PRAGMA user_version`). Append new migrations; never edit
 * one that has shipped, because existing data folders have already applied it.
 */
export const SCHEMA_MIGRATIONS: readonly string[] = [
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
  `,
  `
  -- Telemetry batches clients POSTed to the intake. A batch id is stored once, however often a client
  -- retries it.
  CREATE TABLE intake_batches (
    batch_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    addon_version TEXT NOT NULL,
    locale TEXT NOT NULL,
    received_at INTEGER NOT NULL      -- ms since epoch
  );

  -- One row per event; the id is the receive order, so "newest first" is id descending.
  CREATE TABLE intake_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id TEXT NOT NULL REFERENCES intake_batches (batch_id),
    client_id TEXT NOT NULL,
    timestamp INTEGER NOT NULL,       -- ms since the client's Firefox process start
    category TEXT NOT NULL,
    method TEXT NOT NULL,
    object TEXT NOT NULL,
    value TEXT,
    extra TEXT                        -- JSON object of strings, or NULL
  );
  CREATE INDEX intake_events_by_client ON intake_events (client_id, id);
  `,
  `
  -- Uploaded add-on packages (XPIs). The id is the extensionApiId recipes name; AUTOINCREMENT so a
  -- number is never reused for other bytes. The file itself is <dataDir>/xpis/<sha256>.xpi.
  CREATE TABLE extensions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    extension_id TEXT NOT NULL,       -- the add-on id its manifest declares
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,             -- lowercase hex of the whole file
    size INTEGER NOT NULL,            -- bytes
    uploaded_at INTEGER NOT NULL      -- ms since epoch
  );
  `,
];
