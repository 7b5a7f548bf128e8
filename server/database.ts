import { SCHEMA_MIGRATIONS } from "./schemaMigrations.js";

/** The database file inside the data folder (a standard SQLite file). */
export const DATABASE_FILE_NAME = "recipes.sqlite";

export type SqlValue = number | bigint | string | Uint8Array | null;
export type Row = Record<string, SqlValue>;
export type BindParams = readonly SqlValue[];

/**
 * The server's SQLite database as the stores use it. Durability rule: when `write` returns, or the promise of
 * `writeSoon` resolves, the change is on disk and survives a SIGKILL; a write that did not complete leaves
 * nothing behind.
 */
export interface RecipeDatabase {
  /** True when this open created the database file (a first start with this data folder). */
  readonly isNew: boolean;
  readonly schemaVersion: number;
  rows(sql: string, params?: BindParams): Row[];
  /** Runs one modifying statement. Only allowed inside `write`/`writeSoon`, so no change escapes persistence. */
  run(sql: string, params?: BindParams): void;
  /** The rowid assigned by the last INSERT inside the current write. */
  lastInsertId(): number;
  /** Runs `work` as one transaction and makes it durable before returning; on an exception nothing changes. */
  write<T>(work: () => T): T;
  /**
   * Like `write`, but joins the writes that arrive in the same turn of the event loop into one transaction
   * (group commit: one disk flush for all of them). An exception undoes only its own work.
   */
  writeSoon<T>(work: () => T): Promise<T>;
  /** Runs one or more statements of schema SQL; inside `write` only. */
  execScript(sql: string): void;
  close(): void;
}

/**
 * The one transaction a database runs at a time: a write inside a write joins it, an exception rolls it back,
 * and `commit` (the storage's way of making it durable) ends it.
 */
export class WriteScope {
  private open = false;

  constructor(
    private readonly exec: (sql: string) => void,
    private readonly inTransaction: () => boolean,
  ) {}

  /** Whether a write is running: modifying statements are refused outside one, so no change escapes persistence. */
  assertActive(what: string): void {
    if (!this.open) throw new Error(`RecipeDatabase.${what}() must be called inside write()`);
  }

  run<T>(work: () => T, commit: () => void): T {
    if (this.open) return work();
    this.open = true;
    this.exec("BEGIN");
    try {
      const result = work();
      commit();
      return result;
    } catch (error) {
      if (this.inTransaction()) this.exec("ROLLBACK");
      throw error;
    } finally {
      this.open = false;
    }
  }
}

/** How the server opens its database for a data folder (injectable, so tests and benches can compare storages). */
export type OpenDatabase = (dataDir: string) => Promise<RecipeDatabase>;

/** Brings `database` to the current schema; refuses a database from a newer server. */
export function migrate(database: RecipeDatabase, describedAs: string): void {
  const from = database.schemaVersion;
  if (from > SCHEMA_MIGRATIONS.length) {
    throw new Error(
      `${describedAs} has schema version ${from}, newer than this server understands (${SCHEMA_MIGRATIONS.length})`,
    );
  }
  if (from === SCHEMA_MIGRATIONS.length) return;
  database.write(() => {
    for (const [index, migration] of SCHEMA_MIGRATIONS.entries()) {
      if (index >= from) database.execScript(migration);
    }
    database.execScript(`PRAGMA user_version = ${SCHEMA_MIGRATIONS.length}`);
  });
}

/** The schema version SQLite keeps in `PRAGMA user_version`. */
export function userVersion(database: Pick<RecipeDatabase, "rows">): number {
  return Number(database.rows("PRAGMA user_version")[0]?.["user_version"] ?? 0);
}
