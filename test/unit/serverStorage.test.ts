import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DATABASE_FILE_NAME } from "../../server/database.js";
import { RecipeStore } from "../../server/recipeStore.js";
import { SqliteFileDatabase } from "../../server/sqliteFileDatabase.js";
import { CONSOLE_LOG_RECIPE, useTestServers } from "./serverHarness.js";

const recipe = (name: string) => ({ ...CONSOLE_LOG_RECIPE, name, capabilities: [] });

describe("the server's SQLite file", () => {
  const servers = useTestServers();

  it("takes over the lock a killed server left behind", async () => {
    const dataDir = await servers.newDataDir();
    const first = await SqliteFileDatabase.open(dataDir);
    first.close();
    // What a SIGKILLed server leaves: node-sqlite3-wasm's lock directory, and the pid of a process now gone.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    mkdirSync(join(dataDir, `${DATABASE_FILE_NAME}.lock`));
    writeFileSync(join(dataDir, `${DATABASE_FILE_NAME}.owner`), String(gone));

    const database = await SqliteFileDatabase.open(dataDir);
    new RecipeStore(database, () => new Date()).create(recipe("after the crash"));
    database.close();
    expect(existsSync(join(dataDir, `${DATABASE_FILE_NAME}.lock`))).toBe(false);
  });

  it("refuses a data folder another live server holds, and one this process holds open", async () => {
    const dataDir = await servers.newDataDir();
    const held = await SqliteFileDatabase.open(dataDir);
    await expect(SqliteFileDatabase.open(dataDir)).rejects.toThrow(/already open in this process/);
    held.close();

    mkdirSync(join(dataDir, `${DATABASE_FILE_NAME}.lock`));
    writeFileSync(join(dataDir, `${DATABASE_FILE_NAME}.owner`), String(process.ppid));
    await expect(SqliteFileDatabase.open(dataDir)).rejects.toThrow(
      new RegExp(`in use by another recipe server \\(process ${process.ppid}\\)`),
    );
  });

  it("commits the writes queued together as one group, undoing only the one that throws", async () => {
    const dataDir = await servers.newDataDir();
    const database = await SqliteFileDatabase.open(dataDir);
    const store = new RecipeStore(database, () => new Date());
    const outcomes = await Promise.allSettled([
      database.writeSoon(() => store.create(recipe("first"))),
      database.writeSoon(() => {
        store.create(recipe("undone"));
        throw new Error("refused");
      }),
      database.writeSoon(() => store.create(recipe("third"))),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    database.close();

    const reopened = await SqliteFileDatabase.open(dataDir);
    expect(new RecipeStore(reopened, () => new Date()).list().map((stored) => stored.name)).toEqual(["first", "third"]);
    reopened.close();
  });

  it("commits queued writes before it closes", async () => {
    const dataDir = await servers.newDataDir();
    const database = await SqliteFileDatabase.open(dataDir);
    const stored = database.writeSoon(() => new RecipeStore(database, () => new Date()).create(recipe("queued")));
    database.close();
    await expect(stored).resolves.toMatchObject({ name: "queued" });

    const reopened = await SqliteFileDatabase.open(dataDir);
    expect(new RecipeStore(reopened, () => new Date()).list().map(({ name }) => name)).toEqual(["queued"]);
    reopened.close();
  });
});
