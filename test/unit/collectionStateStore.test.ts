import { afterEach, describe, expect, it, vi } from "vitest";
import { CollectionStateStore } from "../../src/stores/CollectionStateStore.js";
import { StoreQuarantine } from "../../src/stores/StoreQuarantine.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

const SERVER = "http://127.0.0.1:8888/v1";
const OTHER = "http://127.0.0.1:9999/v1";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("CollectionStateStore", () => {
  it("remembers the last applied timestamp per server, 0 for a server never applied", async () => {
    const state = new CollectionStateStore(new MemoryStorage());
    await state.recordApplied(SERVER, 1700);
    expect(await state.lastApplied(SERVER)).toBe(1700);
    expect(await state.lastApplied(OTHER)).toBe(0);
  });

  it("quarantines a damaged value and reports it once, keeping the sound timestamps", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const storage = new MemoryStorage();
    await storage.set("collectionTimestamps", { [SERVER]: 1700, [OTHER]: "yesterday" });
    const state = new CollectionStateStore(storage);

    expect(await state.lastApplied(SERVER)).toBe(1700);
    expect(await state.lastApplied(OTHER)).toBe(0);
    const notes = await new StoreQuarantine(storage).notes();
    expect(notes).toEqual([expect.objectContaining({ key: "collectionTimestamps", kept: 1, dropped: 1 })]);
    expect(notes[0]!.problem).toContain(JSON.stringify(OTHER));
    expect(await storage.get(notes[0]!.quarantinedAs)).toEqual({ [SERVER]: 1700, [OTHER]: "yesterday" });
    expect(console.error).toHaveBeenCalledTimes(1);
  });

  it("a value of the wrong shape altogether is set aside too, not read as nothing applied", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const storage = new MemoryStorage();
    await storage.set("collectionTimestamps", [1700]);
    const state = new CollectionStateStore(storage);

    expect(await state.lastApplied(SERVER)).toBe(0);
    expect(await new StoreQuarantine(storage).notes()).toEqual([
      expect.objectContaining({ key: "collectionTimestamps", kept: 0 }),
    ]);
    await state.recordApplied(SERVER, 1800);
    expect(await state.lastApplied(SERVER)).toBe(1800);
  });
});
