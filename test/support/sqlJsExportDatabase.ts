/**
 * The server's storage before SQLite wrote its own file (up to commit e8f895f, server/database.ts): sql.js held
 * the whole database in memory and every committed write exported all of it and replaced the file atomically.
 * Kept only as the baseline the load bench and the server kill test compare against ("today's code").
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Database, InitSqlJsStatic } from "sql.js";
import { writeFileAtomically } from "../../server/atomicFile.js";
import {
  type BindParams,
  DATABASE_FILE_NAME,
  migrate,
  type RecipeDatabase,
  type Row,
  userVersion,
  WriteScope,
} from "../../server/database.js";

const requireFromHere = createRequire(import.meta.url);

export class SqlJsExportDatabase implements RecipeDatabase {
  private readonly scope: WriteScope;

  private constructor(
    private readonly db: Database,
    private readonly filePath: string,
    readonly isNew: boolean,
  ) {
    // Today's code rolled back whenever the work or the commit threw.
    this.scope = new WriteScope(
      (sql) => db.run(sql),
      () => true,
    );
  }

  static async open(dataDir: string): Promise<SqlJsExportDatabase> {
    mkdirSync(dataDir, { recursive: true });
    const filePath = join(dataDir, DATABASE_FILE_NAME);
    const isNew = !existsSync(filePath);
    const initSqlJs = requireFromHere("sql.js") as InitSqlJsStatic;
    const wasmFile = readFileSync(requireFromHere.resolve("sql.js/dist/sql-wasm.wasm"));
    const SQL = await initSqlJs({ wasmBinary: new Uint8Array(wasmFile).buffer });
    const database = new SqlJsExportDatabase(
      isNew ? new SQL.Database() : new SQL.Database(readFileSync(filePath)),
      filePath,
      isNew,
    );
    migrate(database, filePath);
    return database;
  }

  get schemaVersion(): number {
    return userVersion(this);
  }

  rows(sql: string, params?: BindParams): Row[] {
    const statement = this.db.prepare(sql);
    try {
      if (params) statement.bind(params as never);
      const result: Row[] = [];
      while (statement.step()) result.push(statement.getAsObject());
      return result;
    } finally {
      statement.free();
    }
  }

  run(sql: string, params?: BindParams): void {
    this.scope.assertActive("run");
    this.db.run(sql, params as never);
  }

  lastInsertId(): number {
    return Number(this.rows("SELECT last_insert_rowid() AS id")[0]?.["id"]);
  }

  execScript(sql: string): void {
    this.db.exec(sql);
  }

  write<T>(work: () => T): T {
    return this.scope.run(work, () => {
      this.db.run("COMMIT");
      writeFileAtomically(this.filePath, this.db.export());
    });
  }

  /** Today's intake stored each batch in its own write, before answering. */
  writeSoon<T>(work: () => T): Promise<T> {
    return new Promise((resolve) => resolve(this.write(work)));
  }

  close(): void {
    this.db.close();
  }
}
