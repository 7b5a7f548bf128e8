import { describe, expect, it } from "vitest";
import type { RunReport } from "../../src/core/runReport.js";
import { RunHistoryStore } from "../../src/stores/RunHistoryStore.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

const report = (startedAt: number): RunReport => ({
  trigger: "test",
  startedAt,
  durationMs: 1,
  runnerStatus: "success",
  recipes: [],
  actions: {},
  stages: { fetch: 0, verify: 0, context: 0, filter: 0, actions: 0, report: 0 },
});

describe("RunHistoryStore", () => {
  it("keeps the last 20 runs, newest first, and deletes older reports", async () => {
    const storage = new MemoryStorage();
    const history = new RunHistoryStore(storage);
    for (let startedAt = 1; startedAt <= 25; startedAt++) await history.add(report(startedAt));

    const runs = await history.list();
    expect(runs.map((run) => run.startedAt)).toEqual(Array.from({ length: 20 }, (_, i) => 25 - i));
    expect([...storage.data.keys()].filter((key) => key.startsWith("runHistory.")).length).toBe(20);
  });

  it("writes only the new report and the index when a run is added", async () => {
    const storage = new MemoryStorage();
    const history = new RunHistoryStore(storage);
    await history.add(report(1));
    const written: string[][] = [];
    const setMany = storage.setMany.bind(storage);
    storage.setMany = async (items) => {
      written.push(Object.keys(items).sort());
      return setMany(items);
    };
    await history.add(report(2));
    expect(written).toEqual([["runHistory", "runHistory.2"]]);
  });

  it("starts afresh from a damaged index", async () => {
    const storage = new MemoryStorage();
    await storage.set("runHistory", [report(1)]);
    const history = new RunHistoryStore(storage);
    expect(await history.list()).toEqual([]);
    await history.add(report(2));
    expect((await history.list()).map((run) => run.startedAt)).toEqual([2]);
  });
});
