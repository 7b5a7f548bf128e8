import type { LoggedEvent } from "./EventLogStore.js";
import type { KeyValueStorage } from "./KeyValueStorage.js";
import { readSound } from "./readSound.js";
import { toStoredText } from "./storedText.js";
import { SerialQueue } from "../core/index.js";

/** An event waiting for upload, numbered so a sent batch can be removed exactly, whatever came in since. */
export interface QueuedEvent {
  seq: number;
  event: LoggedEvent;
}

interface IntakeQueueState {
  /** Never reused, also across clears, so a sequence number names one event for good. */
  nextSeq: number;
  pending: QueuedEvent[];
  /** How many of the oldest pending events were dropped to keep the queue within its bound. */
  dropped: number;
}

const KEY = "intakeQueue";
export const DEFAULT_INTAKE_QUEUE_CAPACITY = 10_000;

/**
 * Events waiting to be sent to the intake, oldest first, persisted so a restart loses none. Bounded like the
 * event log: when full, the oldest are dropped first and counted. Stored as JSON text (see storedText.ts) and,
 * as this store is the queue's only writer, kept in memory once read: a run of 1,000 recipes queues 1,000
 * uptake events, which read and written back as objects cost a warm run about 15 ms in Firefox.
 */
export class IntakeQueueStore {
  private readonly writes = new SerialQueue();
  /** The queue as last read or written; null until first needed. */
  private state: Promise<IntakeQueueState> | null = null;

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly capacity = DEFAULT_INTAKE_QUEUE_CAPACITY,
  ) {}

  add(...events: LoggedEvent[]): Promise<void> {
    return this.update((state) => {
      for (const event of events) state.pending.push({ seq: state.nextSeq++, event });
      const excess = state.pending.length - this.capacity;
      if (excess > 0) {
        state.pending.splice(0, excess);
        state.dropped += excess;
      }
    });
  }

  /** The oldest `limit` pending events. */
  async oldest(limit: number): Promise<QueuedEvent[]> {
    return (await this.read()).pending.slice(0, limit);
  }

  /** Removes every pending event numbered `seq` or lower (a batch the intake has accepted). */
  removeThrough(seq: number): Promise<void> {
    return this.update((state) => {
      state.pending = state.pending.filter((queued) => queued.seq > seq);
    });
  }

  /** Forgets every pending event (telemetry upload was turned off). */
  clear(): Promise<void> {
    return this.update((state) => {
      state.pending = [];
    });
  }

  async read(): Promise<IntakeQueueState> {
    await this.writes.idle();
    return copyOf(await this.load());
  }

  private update(change: (state: IntakeQueueState) => void): Promise<void> {
    return this.writes.run(async () => {
      const state = copyOf(await this.load()); // changes push to or replace `pending`; events are never modified
      change(state);
      await this.storage.set(KEY, toStoredText(state));
      this.state = Promise.resolve(state); // only once stored: a failed write leaves the queue as storage has it
    });
  }

  /** The queue, read once (a damaged one is quarantined and reported, and the queue starts afresh). */
  private load(): Promise<IntakeQueueState> {
    this.state ??= readSound(this.storage, KEY, isIntakeQueueState, "an intake queue", { asText: true }).then(
      (stored) => stored ?? { nextSeq: 1, pending: [], dropped: 0 },
    );
    return this.state;
  }
}

function copyOf(state: IntakeQueueState): IntakeQueueState {
  return { ...state, pending: [...state.pending] };
}

function isIntakeQueueState(value: unknown): value is IntakeQueueState {
  const state = value as Partial<IntakeQueueState> | null;
  return (
    typeof state === "object" &&
    state !== null &&
    Number.isSafeInteger(state.nextSeq) &&
    Number.isSafeInteger(state.dropped) &&
    Array.isArray(state.pending) &&
    state.pending.every((queued) => Number.isSafeInteger(queued?.seq) && Array.isArray(queued?.event))
  );
}
