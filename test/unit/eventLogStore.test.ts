import { describe, expect, it, vi } from "vitest";
import { eventClockTimes } from "../../src/core/index.js";
import {
  EVENT_LOG_SEGMENT_SIZE,
  EventLogStore,
  type EventLogContents,
  type LoggedEvent,
} from "../../src/stores/EventLogStore.js";
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
    const log = new EventLogStore(storage, { capacity });
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

  describe("the session of each event, for its clock time", () => {
    /** 2026-12-07 20:00 UTC, and a Firefox started an hour later. */
    const FIRST_START = Date.UTC(2026, 11, 7, 20);
    const SECOND_START = FIRST_START + 3_600_000;
    const inSession = (storage: MemoryStorage, processStart: number | null, capacity?: number) =>
      new EventLogStore(storage, { processStart: Promise.resolve(processStart), ...(capacity ? { capacity } : {}) });
    const clockTimes = ({ events: logged, dropped, sessions }: EventLogContents) =>
      eventClockTimes(logged, dropped, sessions);

    it("records the session in the same write as its first events", async () => {
      const storage = new MemoryStorage();
      const written: Record<string, unknown>[] = [];
      const setMany = storage.setMany.bind(storage);
      storage.setMany = async (items) => {
        written.push(items);
        return setMany(items);
      };
      const log = inSession(storage, FIRST_START);

      await log.append(event(120));
      await log.append(event(130));

      expect(written).toHaveLength(2);
      expect(Object.keys(written[0]!).sort()).toEqual(["eventLog", "eventLog.0"]);
      expect(written[0]!.eventLog).toMatchObject({ sessions: [{ processStart: FIRST_START, firstEvent: 0 }] });
      expect(written[1]!.eventLog).toMatchObject({ sessions: [{ processStart: FIRST_START, firstEvent: 0 }] });
      expect(clockTimes(await log.read())).toEqual([FIRST_START + 120, FIRST_START + 130]);
    });

    it("an add-on reloaded in the same Firefox process goes on in the same session", async () => {
      const storage = new MemoryStorage();
      await inSession(storage, FIRST_START).append(event(100));
      // Computed again after the reload: `Date.now() − msSinceProcessStart()` differs by the call's latency.
      const reloaded = inSession(storage, FIRST_START + 40);
      await reloaded.append(event(9_000));

      const contents = await reloaded.read();
      expect(contents.sessions).toEqual([{ processStart: FIRST_START, firstEvent: 0 }]);
      expect(clockTimes(contents)).toEqual([FIRST_START + 100, FIRST_START + 9_000]);
    });

    it("events of two Firefox sessions keep their own clock times", async () => {
      const storage = new MemoryStorage();
      await inSession(storage, FIRST_START).append(event(100), event(2_000));
      // The timestamps start again at 0 in the new process.
      const restarted = inSession(storage, SECOND_START);
      await restarted.append(event(50));
      await restarted.append(event(60));

      const contents = await restarted.read();
      expect(contents.sessions).toEqual([
        { processStart: FIRST_START, firstEvent: 0 },
        { processStart: SECOND_START, firstEvent: 2 },
      ]);
      expect(clockTimes(contents)).toEqual([
        FIRST_START + 100,
        FIRST_START + 2_000,
        SECOND_START + 50,
        SECOND_START + 60,
      ]);
    });

    it("forgets the sessions whose events were all dropped, and keeps the one the oldest kept event is in", async () => {
      const storage = new MemoryStorage();
      const capacity = 2 * EVENT_LOG_SEGMENT_SIZE;
      // Four sessions of 1.5 segments each: every drop of a segment drops events of one session or two.
      const starts = [0, 1, 2, 3].map((n) => FIRST_START + n * 3_600_000);
      for (const start of starts)
        await inSession(storage, start, capacity).append(...events(0, 1.5 * EVENT_LOG_SEGMENT_SIZE));

      const contents = await inSession(storage, starts[3]!, capacity).read();
      expect(contents.dropped).toBe(4 * EVENT_LOG_SEGMENT_SIZE);
      // Events from position 1,000 on are left: the last third of the third session, then the fourth.
      expect(contents.sessions).toEqual([
        { processStart: starts[2], firstEvent: 3 * EVENT_LOG_SEGMENT_SIZE },
        { processStart: starts[3], firstEvent: 4.5 * EVENT_LOG_SEGMENT_SIZE },
      ]);
      const times = clockTimes(contents);
      expect(times[0]).toBe(starts[2]! + EVENT_LOG_SEGMENT_SIZE);
      expect(times.at(-1)).toBe(starts[3]! + 1.5 * EVENT_LOG_SEGMENT_SIZE - 1);
      // Bounded: however many sessions come and go, only those of kept events stay.
      for (let n = 4; n < 40; n++) await inSession(storage, FIRST_START + n * 3_600_000, capacity).append(event(1));
      const later = await inSession(storage, null, capacity).read();
      expect(later.sessions[0]!.firstEvent).toBeLessThanOrEqual(later.dropped);
      expect(later.sessions[1]!.firstEvent).toBeGreaterThan(later.dropped);
    });

    it("reads an index written before the log kept sessions: its events have no clock time, later ones do", async () => {
      const storage = new MemoryStorage();
      await storage.set("eventLog", { first: 0, next: 1, lastSize: 2, count: 2, dropped: 0 });
      await storage.set("eventLog.0", JSON.stringify([event(10), event(20)]));
      const log = inSession(storage, SECOND_START);

      expect(await log.read()).toEqual({ events: [event(10), event(20)], dropped: 0, sessions: [] });
      await log.append(event(30));
      expect(clockTimes(await log.read())).toEqual([null, null, SECOND_START + 30]);
    });

    it("a session whose process start is unknown shows no clock time rather than its predecessor's", async () => {
      const storage = new MemoryStorage();
      await inSession(storage, FIRST_START).append(event(10));
      await inSession(storage, null).append(event(20));
      await inSession(storage, SECOND_START).append(event(30));
      expect(clockTimes(await new EventLogStore(storage).read())).toEqual([FIRST_START + 10, null, SECOND_START + 30]);
    });

    it("a write that fails leaves neither the events nor their session; the next append records both", async () => {
      const storage = new MemoryStorage();
      await inSession(storage, FIRST_START).append(event(100));
      const restarted = inSession(storage, SECOND_START);
      const setMany = storage.setMany.bind(storage);
      // storage.local writes a set() in one transaction: a failure (a crash, a full disk) writes none of it.
      storage.setMany = async () => {
        throw new Error("QuotaExceededError");
      };

      await expect(restarted.append(event(50))).rejects.toThrow("QuotaExceededError");
      const afterFailure = await inSession(storage, SECOND_START).read();
      expect(afterFailure.events).toEqual([event(100)]);
      expect(afterFailure.sessions).toEqual([{ processStart: FIRST_START, firstEvent: 0 }]);

      storage.setMany = setMany;
      await restarted.append(event(60));
      expect(clockTimes(await restarted.read())).toEqual([FIRST_START + 100, SECOND_START + 60]);
    });

    it("an index whose sessions are damaged is quarantined like any damaged index", async () => {
      const storage = new MemoryStorage();
      await inSession(storage, FIRST_START).append(event(1));
      await inSession(storage, SECOND_START).append(event(2));
      const stored = (await storage.get<{ sessions: unknown[] }>("eventLog"))!;
      await storage.set("eventLog", { ...stored, sessions: [...stored.sessions].reverse() });
      vi.spyOn(console, "error").mockImplementation(() => undefined);

      const log = inSession(storage, SECOND_START);
      await log.append(event(3));

      expect(await log.read()).toEqual({
        events: [event(3)],
        dropped: 0,
        sessions: [{ processStart: SECOND_START, firstEvent: 0 }],
      });
      expect(console.error).toHaveBeenCalledTimes(1);
      vi.restoreAllMocks();
    });
  });
});
