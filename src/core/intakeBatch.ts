import type { EventRecord } from "./eventFormat.js";

/** The most events one intake batch carries. */
export const INTAKE_BATCH_MAX_EVENTS = 500;

/**
 * Who sent a batch: nothing but identifiers the add-on made up and what the events need to be read (never
 * URLs, history or pref values).
 */
export interface IntakeEnvelope {
  /** A v4 UUID kept in `extensions.recipeclient.client_id`; not the randomization id. */
  clientId: string;
  /** A v4 UUID made at each add-on start: event timestamps only compare within one session. */
  sessionId: string;
  addonVersion: string;
  locale: string;
}

/** What the add-on POSTs to the intake (`/intake/v1/batches`) as JSON. */
export interface IntakeBatch extends IntakeEnvelope {
  /** Unique per batch and kept across retries, so the intake stores a batch once however often it is sent. */
  batchId: string;
  /** 1 to INTAKE_BATCH_MAX_EVENTS events, oldest first. */
  events: EventRecord[];
}
