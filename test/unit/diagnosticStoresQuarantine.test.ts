/** The event log and the intake queue set a damaged stored value aside and say so, like the enrollment stores. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EventLogStore, type LoggedEvent } from "../../src/stores/EventLogStore.js";
import { HeartbeatStore } from "../../src/stores/HeartbeatStore.js";
import { IntakeQueueStore } from "../../src/stores/IntakeQueueStore.js";
import { StoreQuarantine } from "../../src/stores/StoreQuarantine.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";

const event = (n: number): LoggedEvent => [n, "normandy", "enroll", "preference_study", `slug-${n}`, { branch: "a" }];

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("damaged diagnostics are quarantined and reported, then the store goes on", () => {
  it("an event log index that is not one: kept aside, reported once, and the log starts afresh", async () => {
    const storage = new MemoryStorage();
    await storage.set("eventLog", { next: "three" });
    const log = new EventLogStore(storage);

    await log.append(event(1));
    await log.append(event(2));

    expect((await log.read()).events).toEqual([event(1), event(2)]);
    const notes = await new StoreQuarantine(storage).notes();
    expect(notes).toEqual([expect.objectContaining({ key: "eventLog", problem: "not an event log index" })]);
    expect(await storage.get(notes[0]!.quarantinedAs)).toEqual({ next: "three" });
    expect(console.error).toHaveBeenCalledTimes(1);
  });

  it("a last segment whose text does not parse: kept aside, and the appended events are not lost", async () => {
    const storage = new MemoryStorage();
    await new EventLogStore(storage).append(event(1));
    await storage.set("eventLog.0", '[[1, "norm');
    const log = new EventLogStore(storage);

    await log.append(event(2));

    expect((await log.read()).events).toEqual([event(2)]);
    expect(await new StoreQuarantine(storage).notes()).toEqual([
      expect.objectContaining({ key: "eventLog.0", problem: "not a list of events" }),
    ]);
  });

  it("an intake queue that is not one: kept aside, reported, and new events are queued", async () => {
    const storage = new MemoryStorage();
    await storage.set("intakeQueue", JSON.stringify({ nextSeq: 4, pending: "lots" }));
    const queue = new IntakeQueueStore(storage);

    await queue.add(event(7));

    expect((await queue.read()).pending).toEqual([{ seq: 1, event: event(7) }]);
    expect(await new StoreQuarantine(storage).notes()).toEqual([
      expect.objectContaining({ key: "intakeQueue", problem: "not an intake queue" }),
    ]);
  });

  it("a damaged heartbeat survey record: kept aside, the sound ones still count (a shown survey is not shown again)", async () => {
    const storage = new MemoryStorage();
    const sound = {
      recipeId: 4,
      surveyId: "s",
      lastShown: 1000,
      timesShown: 1,
      lastInteraction: null,
      answer: null,
      outcome: "open",
    };
    await storage.set("heartbeats", { surveys: { 4: sound, 5: { recipeId: 5, lastShown: "yesterday" } } });
    const store = new HeartbeatStore(storage);

    expect(await store.getAll()).toEqual([sound]);
    expect(await store.lastShownOfAny()).toBe(1000);
    expect(await new StoreQuarantine(storage).notes()).toEqual([
      expect.objectContaining({ key: "heartbeats", kept: 1, dropped: 1 }),
    ]);
  });

  it("a sound queue stored as data by an older version is read as it is", async () => {
    const storage = new MemoryStorage();
    await storage.set("intakeQueue", { nextSeq: 2, pending: [{ seq: 1, event: event(1) }], dropped: 0 });

    expect((await new IntakeQueueStore(storage).read()).pending).toEqual([{ seq: 1, event: event(1) }]);
    expect(await new StoreQuarantine(storage).notes()).toEqual([]);
  });
});
