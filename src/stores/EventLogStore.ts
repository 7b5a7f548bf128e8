import { keptSessions, withSession, type EventLogSession, type EventRecord } from "../core/index.js";
import type { KeyValueStorage } from "./KeyValueStorage.js";
import { readSound } from "./readSound.js";
import { fromStoredText, toStoredText } from "./storedText.js";
import { SerialQueue } from "../core/index.js";

/** One event in the event format `[timestamp, category, method, object, value, extra]`. */
export type LoggedEvent = EventRecord;

export interface EventLogContents {
  events: LoggedEvent[];
  /** How many of the oldest events were dropped to keep the log within its bound. */
  dropped: number;
  /**
   * The Firefox sessions the events belong to, oldest first (positions count dropped events too): what turns
   * their timestamps into clock times (`eventClockTimes`). Empty for a log written before the log kept them.
   */
  sessions: EventLogSession[];
}

export interface EventLogOptions {
  /** How many events the log keeps at least; it drops whole oldest segments beyond it. */
  capacity?: number;
  /**
   * When this Firefox process started (ms since the epoch), or null when that is not known: the session of
   * every event this store appends. Unknown by default.
   */
  processStart?: Promise<number | null>;
}

/** Where the segments are: numbers `first` to `next - 1`, the last one holding `lastSize` events. */
interface EventLogIndex {
  first: number;
  next: number;
  lastSize: number;
  count: number;
  dropped: number;
  /** The sessions of the events kept; absent in a log written before the log kept them. */
  sessions?: EventLogSession[];
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
 *
 * The index also says which Firefox session (process start) each event belongs to, from which position on:
 * written with the events it concerns, so neither is ever kept without the other, and pruned with the segments.
 *
 * An append is two storage calls whatever its size: the touched segments and the index that refers to them in
 * one write (one transaction: a crash leaves either the old log or the new one), then the removal of the
 * segments that fell out. It reads nothing: this store is the log's only writer, so it keeps the index and the
 * last, partly filled segment in memory once read (about 20 ms less per run of 1,000 recipes in Firefox).
 */
export class EventLogStore {
  private readonly writes = new SerialQueue();
  /** The stored index and the events of its last segment, once read; only this store writes them. */
  private tail: { index: EventLogIndex; lastSegment: LoggedEvent[] } | null = null;

  private readonly capacity: number;
  private readonly processStart: Promise<number | null>;

  constructor(
    private readonly storage: KeyValueStorage,
    { capacity = DEFAULT_EVENT_LOG_CAPACITY, processStart = Promise.resolve(null) }: EventLogOptions = {},
  ) {
    this.capacity = capacity;
    this.processStart = processStart;
  }

  append(...events: LoggedEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.writes.run(async () => {
      const { index: stored, lastSegment } = await this.readTail();
      const index = { ...stored };
      index.sessions = withSession(index.sessions ?? [], await this.processStart, index.dropped + index.count);
      const items: Record<string, unknown> = {};
      const continuesLast = index.lastSize > 0 && index.lastSize < EVENT_LOG_SEGMENT_SIZE;
      let segment = continuesLast ? lastSegment : [];
      if (!continuesLast) index.next += 1; // a new segment, the last from now on
      for (let start = 0; start < events.length;) {
        const room = EVENT_LOG_SEGMENT_SIZE - segment.length;
        segment = [...segment, ...events.slice(start, start + room)];
        start += room;
        items[segmentKey(index.next - 1)] = toStoredText(segment);
        if (start < events.length) {
          segment = [];
          index.next += 1;
        }
      }
      index.lastSize = segment.length;
      index.count += events.length;
      const dropped = this.dropOldSegments(index);
      items[INDEX_KEY] = index;
      await this.storage.setMany(items);
      this.tail = { index, lastSegment: segment };
      if (dropped.length > 0) await this.storage.remove(dropped.map(segmentKey));
    });
  }

  /** The log as it is once every append made so far has been written. */
  async read(): Promise<EventLogContents> {
    await this.writes.idle();
    const index = await this.index();
    const segments = [];
    for (let segment = index.first; segment < index.next; segment++) segments.push(this.segment(segment));
    return { events: (await Promise.all(segments)).flat(), dropped: index.dropped, sessions: index.sessions ?? [] };
  }

  /** The newest logged event that `matches`, once every append made so far has been written; reads newest first. */
  async newest(matches: (event: LoggedEvent) => boolean): Promise<LoggedEvent | undefined> {
    await this.writes.idle();
    const index = await this.index();
    for (let segment = index.next - 1; segment >= index.first; segment--) {
      const found = (await this.segment(segment)).findLast(matches);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Moves `index.first` past the oldest segments the log can do without, forgets the sessions of theirs that
   * no kept event belongs to, and returns their numbers. Every segment but the last is full (an append fills the
   * last one before it starts another).
   */
  private dropOldSegments(index: EventLogIndex): number[] {
    const dropped: number[] = [];
    while (index.next - index.first > 1 && index.count - EVENT_LOG_SEGMENT_SIZE >= this.capacity) {
      dropped.push(index.first);
      index.first += 1;
      index.count -= EVENT_LOG_SEGMENT_SIZE;
      index.dropped += EVENT_LOG_SEGMENT_SIZE;
    }
    if (index.sessions) index.sessions = keptSessions(index.sessions, index.dropped);
    return dropped;
  }

  /**
   * The index and last segment, read once (appends are serialized, so only they get here): a damaged one is
   * quarantined and reported, and the log goes on from what is sound (a damaged index: an empty log).
   */
  private async readTail(): Promise<{ index: EventLogIndex; lastSegment: LoggedEvent[] }> {
    if (!this.tail) {
      const index = {
        ...((await readSound(this.storage, INDEX_KEY, isEventLogIndex, "an event log index")) ?? EMPTY_INDEX),
      };
      const hasSegments = index.next > index.first;
      const lastSegment = hasSegments
        ? await readSound(this.storage, segmentKey(index.next - 1), isEventList, "a list of events", { asText: true })
        : [];
      this.tail = { index, lastSegment: lastSegment ?? [] };
    }
    return this.tail;
  }

  private async index(): Promise<EventLogIndex> {
    const stored = await this.storage.get<unknown>(INDEX_KEY);
    return isEventLogIndex(stored) ? { ...stored } : { ...EMPTY_INDEX };
  }

  private async segment(segment: number): Promise<LoggedEvent[]> {
    return fromStoredText<LoggedEvent[]>(await this.storage.get(segmentKey(segment))) ?? [];
  }
}

function isEventLogIndex(value: unknown): value is EventLogIndex {
  const index = value as Partial<EventLogIndex> | null;
  return (
    typeof index === "object" &&
    index !== null &&
    [index.first, index.next, index.lastSize, index.count, index.dropped].every(
      (field) => Number.isSafeInteger(field) && (field as number) >= 0,
    ) &&
    index.first! <= index.next! &&
    (index.sessions === undefined || isSessionList(index.sessions))
  );
}

function isSessionList(value: unknown): value is EventLogSession[] {
  return (
    Array.isArray(value) &&
    value.every(
      (session: Partial<EventLogSession> | null, position) =>
        typeof session === "object" &&
        session !== null &&
        (session.processStart === null || Number.isFinite(session.processStart)) &&
        Number.isSafeInteger(session.firstEvent) &&
        session.firstEvent! >= 0 &&
        (position === 0 || session.firstEvent! > (value[position - 1] as EventLogSession).firstEvent),
    )
  );
}

function isEventList(value: unknown): value is LoggedEvent[] {
  return Array.isArray(value) && value.every((event) => Array.isArray(event) && event.length === 6);
}
