import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { BindParams, Database, InitSqlJsStatic, SqlValue } from "sql.js";
import { writeFileAtomically } from "./atomicFile.js";
import { SCHEMA_MIGRATIONS } from "./schemaMigrations.js";

export const DATABASE_FILE_NAME = "recipes.sqlite";

export type Row = Record<string, SqlValue>;

/**
 * sql.js is loaded with a `require` anchored at this module rather than through `import`: the server is
 * also bundled to build/server.mjs, and the bundle must still find the package (and its .wasm file) in the
 * repository's node_modules at run time. Both locations resolve to the same node_modules.
 */
const requireFromHere = createRequire(import.meta.url);

let sqlJs: Promise<Awaited<ReturnType<InitSqlJsStatic>>> | undefined;

function loadSqlJs(): Promise<Awaited<ReturnType<InitSqlJsStatic>>> {
  if (!sqlJs) {
    const initSqlJs = requireFromHere("sql.js") as InitSqlJsStatic;
    const wasmFile = readFileSync(requireFromHere.resolve("sql.js/dist/sql-wasm.wasm"));
    sqlJs = initSqlJs({ wasmBinary: new Uint8Array(wasmFile).buffer });
  }
  return sqlJs;
}

/**
 * The server's SQLite database: held in memory by sql.js and written to `<dataDir>/recipes.sqlite` after
 * every committed write, atomically, so the file on disk is always a complete committed state.
 */
export class RecipeDatabase {
  private inWrite = false;

  private constructor(
    private readonly db: Database,
    private readonly filePath: string,
    /** True when this open created the database file (a first start with this data folder). */
    readonly isNew: boolean,
  ) {}

  static async open(dataDir: string): Promise<RecipeDatabase> {
    mkdirSync(dataDir, { recursive: true });
    const filePath = join(dataDir, DATABASE_FILE_NAME);
    const isNew = !existsSync(filePath);
    const SQL = await loadSqlJs();
    const db = isNew ? new SQL.Database() : new SQL.Database(readFileSync(filePath));
    const database = new RecipeDatabase(db, filePath, isNew);
    database.migrate();
    return database;
  }

  get schemaVersion(): number {
    return Number(this.rows("PRAGMA user_version")[0]?.["user_version"] ?? 0);
  }

  rows(sql: string, params?: BindParams): Row[] {
    const statement = this.db.prepare(sql);
    try {
      if (params) statement.bind(params);
      const result: Row[] = [];
      while (statement.step()) result.push(statement.getAsObject());
      return result;
    } finally {
      statement.free();
    }
  }

  /** Runs one modifying statement. Only allowed inside `write`, so no change escapes persistence. */
  run(sql: string, params?: BindParams): void {
    if (!this.inWrite) throw new Error("RecipeDatabase.run() must be called inside write()");
    this.db.run(sql, params);
  }

  /** The rowid assigned by the last INSERT inside the current write. */
  lastInsertId(): number {
    return Number(this.rows("SELECT last_insert_rowid() AS id")[0]?.["id"]);
  }

  /** Runs `work` as one transaction and persists the result; on an exception nothing changes. */
  write<T>(work: () => T): T {
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

  close(): void {
    this.db.close();
  }

  private migrate(): void {
    const from = this.schemaVersion;
    if (from > SCHEMA_MIGRATIONS.length) {
      throw new Error(
        `${this.filePath} has schema version ${from}, newer than this server understands (${SCHEMA_MIGRATIONS.length})`,
      );
    }
    if (from === SCHEMA_MIGRATIONS.length) return;
    this.write(() => {
      for (const [index, migration] of SCHEMA_MIGRATIONS.entries()) {
        if (index >= from) this.db.exec(migration);
      }
      this.db.run(`PRAGMA user_version = ${SCHEMA_MIGRATIONS.length}`);
    });
  }

  private persist(): void {
    writeFileAtomically(this.filePath, this.db.export());
  }
}
