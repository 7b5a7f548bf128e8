import { describe, expect, it } from "vitest";
import { EVENT_LOG_SEGMENT_SIZE, EventLogStore, type LoggedEvent } from "../../src/stores/EventLogStore.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

const event = (n: number): LoggedEvent => [n, "normandy", "enroll", "preference_study", `slug-${n}`, { branch: "a" }];
const events = (from: number, count: number) => Array.from({ length: count }, (_, i) => event(from + i));

describe("EventLogStore", () => {
  it("keeps events in order across appends of any size", async () => {
    const log = new EventLogStore(new MemoryStorage());
    await log.append(event(0));
    await log.append(...events(1, EVENT_LOG_SEGMENT_SIZE + 10));
    await log.append(event(EVENT_LOG_SEGMENT_SIZE + 11));
    const { events: stored, dropped } = await log.read();
    expect(stored).toEqual(events(0, EVENT_LOG_SEGMENT_SIZE + 12));
    expect(dropped).toBe(0);
  });

  it("drops whole oldest segments beyond its capacity, and counts them", async () => {
    const capacity = 2 * EVENT_LOG_SEGMENT_SIZE;
    const storage = new MemoryStorage();
    const log = new EventLogStore(storage, capacity);
    const total = 5 * EVENT_LOG_SEGMENT_SIZE + 7;
    for (let start = 0; start < total; start += 100) await log.append(...events(start, Math.min(100, total - start)));

    const { events: stored, dropped } = await log.read();
    expect(stored.length).toBeGreaterThanOrEqual(capacity);
    expect(stored.length).toBeLessThan(capacity + EVENT_LOG_SEGMENT_SIZE);
    expect(dropped + stored.length).toBe(total);
    expect(stored).toEqual(events(dropped, stored.length)); // the newest, in order
    const segments = [...storage.data.keys()].filter((key) => key.startsWith("eventLog."));
    expect(segments.length).toBe(Math.ceil(stored.length / EVENT_LOG_SEGMENT_SIZE));
  });

  it("writes only the segments an append touches", async () => {
    const storage = new MemoryStorage();
    const log = new EventLogStore(storage);
    await log.append(...events(0, 3 * EVENT_LOG_SEGMENT_SIZE));
    const written: string[][] = [];
    const setMany = storage.setMany.bind(storage);
    storage.setMany = async (items) => {
      written.push(Object.keys(items).sort());
      return setMany(items);
    };
    await log.append(event(9999));
    // One write, with the index: a crash cannot keep a segment the index does not know, or the reverse.
    expect(written).toEqual([["eventLog", "eventLog.3"]]);
  });

  it("reads nothing from storage once it knows the log, and a new store continues the stored log", async () => {
    const storage = new MemoryStorage();
    const log = new EventLogStore(storage);
    await log.append(...events(0, 10));
    const get = storage.get.bind(storage);
    let reads = 0;
    storage.get = async (key) => {
      reads += 1;
      return get(key);
    };
    await log.append(...events(10, EVENT_LOG_SEGMENT_SIZE));
    expect(reads).toBe(0);
    const reopened = new EventLogStore(storage);
    await reopened.append(event(EVENT_LOG_SEGMENT_SIZE + 10));
    expect((await reopened.read()).events).toEqual(events(0, EVENT_LOG_SEGMENT_SIZE + 11));
  });

  it("serializes concurrent appends without losing any", async () => {
    const log = new EventLogStore(new MemoryStorage());
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(event(i))));
    expect((await log.read()).events).toHaveLength(50);
  });
});
