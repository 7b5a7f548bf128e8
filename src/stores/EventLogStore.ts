import type { EventRecord } from "../core/eventFormat.js";
import type { KeyValueStorage } from "./KeyValueStorage.js";
import { fromStoredText, toStoredText } from "./storedText.js";
import { WriteQueue } from "./WriteQueue.js";

/** One event in the event format `[timestamp, category, method, object, value, extra]`. */
export type LoggedEvent = EventRecord;

export interface EventLogContents {
  events: LoggedEvent[];
  /** How many of the oldest events were dropped to keep the log within its bound. */
  dropped: number;
}

/** Where the segments are: numbers `first` to `next - 1`, the last one holding `lastSize` events. */
interface EventLogIndex {
  first: number;
  next: number;
  lastSize: number;
  count: number;
  dropped: number;
}

const INDEX_KEY = "eventLog";
const segmentKey = (segment: number) => `eventLog.${segment}`;
export const DEFAULT_EVENT_LOG_CAPACITY = 10_000;
export const EVENT_LOG_SEGMENT_SIZE = 250;
const EMPTY_INDEX: EventLogIndex = { first: 0, next: 0, lastSize: 0, count: 0, dropped: 0 };

/**
 * The local, persisted event log the QA console shows. It is stored in segments of EVENT_LOG_SEGMENT_SIZE
 * events under keys of their own, so an append writes only the last segment and the new ones, never the whole
 * log: a run of 1,000 recipes appends 1,000 uptake events at once. Segments are stored as JSON text (see
 * storedText.ts). Bounded: when it holds more than `capacity` events, whole oldest segments are dropped (so it
 * keeps between `capacity` and `capacity` plus one segment) and the drop is counted, so a reader can tell the
 * log is incomplete. Appends are serialized.
 */
export class EventLogStore {
  private readonly writes = new WriteQueue();

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly capacity = DEFAULT_EVENT_LOG_CAPACITY,
  ) {}

  append(...events: LoggedEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.writes.run(async () => {
      const index = await this.index();
      const writes: Promise<void>[] = [];
      let pending = events;
      if (index.lastSize > 0 && index.lastSize < EVENT_LOG_SEGMENT_SIZE) {
        const last = index.next - 1;
        const room = EVENT_LOG_SEGMENT_SIZE - index.lastSize;
        const segment = [...(await this.segment(last)), ...pending.slice(0, room)];
        writes.push(this.storage.set(segmentKey(last), toStoredText(segment)));
        index.lastSize = segment.length;
        pending = pending.slice(room);
      }
      for (let start = 0; start < pending.length; start += EVENT_LOG_SEGMENT_SIZE) {
        const segment = pending.slice(start, start + EVENT_LOG_SEGMENT_SIZE);
        writes.push(this.storage.set(segmentKey(index.next++), toStoredText(segment)));
        index.lastSize = segment.length;
      }
      index.count += events.length;
      await Promise.all(writes);
      await this.dropOldSegments(index);
      await this.storage.set(INDEX_KEY, index);
    });
  }

  /** The log as it is once every append made so far has been written. */
  async read(): Promise<EventLogContents> {
    await this.writes.idle();
    const index = await this.index();
    const segments = [];
    for (let segment = index.first; segment < index.next; segment++) segments.push(this.segment(segment));
    return { events: (await Promise.all(segments)).flat(), dropped: index.dropped };
  }

  private async dropOldSegments(index: EventLogIndex): Promise<void> {
    while (index.next - index.first > 1) {
      const oldest = await this.segment(index.first);
      if (index.count - oldest.length < this.capacity) return;
      await this.storage.remove(segmentKey(index.first));
      index.first += 1;
      index.count -= oldest.length;
      index.dropped += oldest.length;
    }
  }

  private async index(): Promise<EventLogIndex> {
    const stored = await this.storage.get<EventLogIndex>(INDEX_KEY);
    return stored && typeof stored.next === "number" ? { ...stored } : { ...EMPTY_INDEX };
  }

  private async segment(segment: number): Promise<LoggedEvent[]> {
    return fromStoredText<LoggedEvent[]>(await this.storage.get(segmentKey(segment))) ?? [];
  }
}
