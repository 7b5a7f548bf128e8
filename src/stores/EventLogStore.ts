import type { EventRecord } from "../core/eventFormat.js";
import type { KeyValueStorage } from "./KeyValueStorage.js";
import { WriteQueue } from "./WriteQueue.js";

/** One event in the event format `[timestamp, category, method, object, value, extra]`. */
export type LoggedEvent = EventRecord;

interface EventLogState {
  events: LoggedEvent[];
  /** How many of the oldest events were dropped to keep the log within its bound. */
  dropped: number;
}

const KEY = "eventLog";
export const DEFAULT_EVENT_LOG_CAPACITY = 10_000;

/**
 * The local, persisted event log the QA console shows. Bounded: when full, the oldest events are dropped
 * first and the drop is counted, so a reader can tell the log is incomplete. Appends are serialized so
 * concurrent writers never lose each other's events.
 */
export class EventLogStore {
  private readonly writes = new WriteQueue();

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly capacity = DEFAULT_EVENT_LOG_CAPACITY,
  ) {}

  append(event: LoggedEvent): Promise<void> {
    return this.writes.run(async () => {
      const state = await this.load();
      state.events.push(event);
      const excess = state.events.length - this.capacity;
      if (excess > 0) {
        state.events.splice(0, excess);
        state.dropped += excess;
      }
      await this.storage.set(KEY, state);
    });
  }

  /** The log as it is once every append made so far has been written. */
  async read(): Promise<EventLogState> {
    await this.writes.idle();
    return this.load();
  }

  private async load(): Promise<EventLogState> {
    return (await this.storage.get<EventLogState>(KEY)) ?? { events: [], dropped: 0 };
  }
}
