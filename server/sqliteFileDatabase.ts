import { existsSync, mkdirSync, readFileSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as SqliteWasm from "node-sqlite3-wasm";
import type { Database, Statement } from "node-sqlite3-wasm";
import {
  type BindParams,
  DATABASE_FILE_NAME,
  migrate,
  type RecipeDatabase,
  type Row,
  userVersion,
  WriteScope,
} from "./database.js";

/**
 * node-sqlite3-wasm is loaded with a `require` anchored at this module: the server is also bundled to
 * build/server.mjs, and the bundle must still find the package (and its .wasm file, which it locates next
 * to its own script) in the repository's node_modules at run time.
 */
const requireFromHere = createRequire(import.meta.url);

/** SQLite's page cache: bounds the memory the database uses whatever the store's size (16 MiB). */
const CACHE_KIB = 16 * 1024;

interface PendingWrite {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The server's database: real SQLite (compiled to WebAssembly, no native build) reading and writing
 * `<dataDir>/recipes.sqlite` itself, in write-ahead-log mode with `synchronous=FULL`. A commit appends only
 * the pages it changed to the log and flushes it, so a write costs in proportion to the change, not to the
 * store's size; SQLite's log recovery drops a commit that did not reach the disk whole. Files written by
 * earlier versions of the server (sql.js exports) are ordinary SQLite files and open as they are.
 */
export class SqliteFileDatabase implements RecipeDatabase {
  private readonly scope: WriteScope;
  private lastId = 0;
  private readonly statements = new Map<string, Statement>();
  private pending: PendingWrite[] = [];

  private constructor(
    private readonly db: Database,
    private readonly filePath: string,
    readonly isNew: boolean,
  ) {
    this.scope = new WriteScope(
      (sql) => db.exec(sql),
      () => db.inTransaction,
    );
  }

  static async open(dataDir: string): Promise<SqliteFileDatabase> {
    mkdirSync(dataDir, { recursive: true });
    const filePath = join(dataDir, DATABASE_FILE_NAME);
    const isNew = !existsSync(filePath);
    const ownerFile = `${filePath}.owner`;
    if (openHere.has(filePath)) throw new Error(`${filePath} is already open in this process`);
    clearStaleLock(filePath, ownerFile);
    const { Database: SqliteDatabase } = requireFromHere("node-sqlite3-wasm") as typeof SqliteWasm;
    const db = new SqliteDatabase(filePath);
    try {
      // The WebAssembly build has no shared memory for the log's index, so SQLite needs exclusive locking
      // mode for WAL: this process holds the file until it closes it (one server per data folder anyway).
      db.exec("PRAGMA locking_mode = EXCLUSIVE");
      const mode = db.get("PRAGMA journal_mode = WAL")?.["journal_mode"];
      if (mode !== "wal")
        throw new Error(`${filePath}: SQLite refused write-ahead logging (journal mode ${String(mode)})`);
      db.exec(`PRAGMA synchronous = FULL; PRAGMA cache_size = -${CACHE_KIB}`);
    } catch (error) {
      db.close();
      throw error;
    }
    writeFileSync(ownerFile, String(process.pid));
    openHere.add(filePath);
    const database = new SqliteFileDatabase(db, filePath, isNew);
    try {
      migrate(database, filePath);
    } catch (error) {
      database.close();
      throw error;
    }
    return database;
  }

  get schemaVersion(): number {
    return userVersion(this);
  }

  rows(sql: string, params?: BindParams): Row[] {
    return this.statement(sql).all(params as SqlBind) as Row[];
  }

  run(sql: string, params?: BindParams): void {
    this.scope.assertActive("run");
    this.lastId = Number(this.statement(sql).run(params as SqlBind).lastInsertRowid);
  }

  lastInsertId(): number {
    return this.lastId;
  }

  execScript(sql: string): void {
    this.scope.assertActive("execScript");
    this.db.exec(sql);
  }

  write<T>(work: () => T): T {
    // With synchronous=FULL the commit returns once the log is flushed to disk.
    return this.scope.run(work, () => this.db.exec("COMMIT"));
  }

  writeSoon<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.commitPending());
    });
  }

  close(): void {
    this.commitPending();
    for (const statement of this.statements.values()) statement.finalize();
    this.statements.clear();
    this.db.close();
    rmSync(`${this.filePath}.owner`, { force: true });
    openHere.delete(this.filePath);
  }

  /** One transaction for every write queued since the last group; each in a savepoint of its own. */
  private commitPending(): void {
    const group = this.pending;
    if (group.length === 0) return;
    this.pending = [];
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.write(() => {
        for (const { work } of group) {
          this.db.exec("SAVEPOINT queued_write");
          try {
            outcomes.push({ ok: true, value: work() });
          } catch (error) {
            this.db.exec("ROLLBACK TO queued_write");
            outcomes.push({ ok: false, value: error });
          }
          this.db.exec("RELEASE queued_write");
        }
      });
    } catch (error) {
      for (const { reject } of group) reject(error);
      return;
    }
    // Only now, with the group durable, does anyone hear back.
    group.forEach(({ resolve, reject }, index) => {
      const { ok, value } = outcomes[index]!;
      if (ok) resolve(value);
      else reject(value);
    });
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

type SqlBind = Parameters<Statement["run"]>[0];

/** Database files this process holds open: its own lock is never taken for a stale one. */
const openHere = new Set<string>();

/**
 * node-sqlite3-wasm locks the file by creating the directory `<file>.lock`, which a SIGKILLed server leaves
 * behind. The pid in `<file>.owner` tells a crashed owner (gone: the lock is stale and removed) from a server
 * still running on this data folder (refused with a clear message rather than SQLite's "database is locked").
 */
function clearStaleLock(filePath: string, ownerFile: string): void {
  const lockDir = `${filePath}.lock`;
  if (!existsSync(lockDir)) return;
  const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, "utf8")) : NaN;
  if (Number.isInteger(owner) && owner !== process.pid && processIsAlive(owner)) {
    throw new Error(`${filePath} is in use by another recipe server (process ${owner})`);
  }
  rmdirSync(lockDir);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
