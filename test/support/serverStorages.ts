/** The server storages a bench or test can compare: today's default, and the one it replaced. */
import type { OpenDatabase } from "../../server/database.js";
import { SqliteFileDatabase } from "../../server/sqliteFileDatabase.js";
import { SqlJsExportDatabase } from "./sqlJsExportDatabase.js";

export const SERVER_STORAGES = {
  /** The default: SQLite writes its own file, WAL, one flush per (group) commit. */
  "sqlite-wal": SqliteFileDatabase.open,
  /** The baseline: sql.js in memory, the whole database exported to disk after every write. */
  "sqljs-export": SqlJsExportDatabase.open,
} satisfies Record<string, OpenDatabase>;

export type ServerStorage = keyof typeof SERVER_STORAGES;

export function serverStorage(name: string): ServerStorage {
  if (!(name in SERVER_STORAGES))
    throw new Error(`unknown server storage ${name}: one of ${Object.keys(SERVER_STORAGES).join(", ")}`);
  return name as ServerStorage;
}
