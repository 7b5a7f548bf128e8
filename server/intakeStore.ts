import type { EventRecord } from "../src/core/index.js";
import type { IntakeBatch } from "../src/core/index.js";
import type { RecipeDatabase, Row } from "./database.js";
import type { Clock } from "./recipeStore.js";

/** One client that has sent telemetry, as of its latest batch. */
export interface IntakeClient {
  clientId: string;
  addonVersion: string;
  locale: string;
  lastSessionId: string;
  eventCount: number;
  /** ms since epoch */
  firstReceivedAt: number;
  lastReceivedAt: number;
}

/** A stored event with where and when it came in. */
export interface ReceivedEvent {
  timestamp: number;
  category: string;
  method: string;
  object: string;
  value: string | null;
  extra: Record<string, string> | null;
  sessionId: string;
  /** ms since epoch */
  receivedAt: number;
}

/** A stored event back in the event format the client sent: `[timestamp, category, method, object, value, extra]`. */
export function eventRecordOf({ timestamp, category, method, object, value, extra }: ReceivedEvent): EventRecord {
  return [timestamp, category, method, object, value, extra];
}

export interface EventFilter {
  method?: string;
  object?: string;
}

/** Telemetry batches received from clients, over the database. Each store is one transaction. */
export class IntakeStore {
  constructor(
    private readonly database: RecipeDatabase,
    private readonly now: Clock,
  ) {}

  /**
   * Stores a validated batch; a batch id seen before is not stored again (a client retried it). Resolves once
   * the batch is durable; batches that arrive together share one commit.
   */
  store(batch: IntakeBatch): Promise<{ duplicate: boolean }> {
    return this.database.writeSoon(() => {
      if (this.database.rows("SELECT 1 FROM intake_batches WHERE batch_id = ?", [batch.batchId]).length > 0) {
        return { duplicate: true };
      }
      this.database.run(
        `INSERT INTO intake_batches (batch_id, client_id, session_id, addon_version, locale, received_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [batch.batchId, batch.clientId, batch.sessionId, batch.addonVersion, batch.locale, this.now().getTime()],
      );
      for (const event of batch.events) this.insertEvent(batch, event);
      return { duplicate: false };
    });
  }

  /** Every client that sent something, the most recently heard from first. */
  clients(): IntakeClient[] {
    return this.database
      .rows(
        `SELECT b.client_id, b.addon_version, b.locale, b.session_id, b.received_at,
                (SELECT MIN(received_at) FROM intake_batches WHERE client_id = b.client_id) AS first_received_at,
                (SELECT COUNT(*) FROM intake_events WHERE client_id = b.client_id) AS event_count
         FROM intake_batches b
         WHERE b.rowid = (SELECT rowid FROM intake_batches WHERE client_id = b.client_id ORDER BY received_at DESC, rowid DESC LIMIT 1)
         ORDER BY b.received_at DESC, b.rowid DESC`,
      )
      .map(clientFromRow);
  }

  client(clientId: string): IntakeClient | undefined {
    return this.clients().find((client) => client.clientId === clientId);
  }

  /** The client's events, newest first, optionally only those of one method and/or object. */
  events(clientId: string, filter: EventFilter = {}): ReceivedEvent[] {
    return this.database
      .rows(
        `SELECT e.*, b.session_id, b.received_at FROM intake_events e JOIN intake_batches b USING (batch_id)
         WHERE e.client_id = ? AND (? IS NULL OR e.method = ?) AND (? IS NULL OR e.object = ?)
         ORDER BY e.id DESC`,
        [clientId, filter.method ?? null, filter.method ?? null, filter.object ?? null, filter.object ?? null],
      )
      .map(eventFromRow);
  }

  /** The distinct methods and objects of the client's events (sorted), to filter by. */
  eventKinds(clientId: string): { methods: string[]; objects: string[] } {
    const distinct = (column: "method" | "object") =>
      this.database
        .rows(`SELECT DISTINCT ${column} AS name FROM intake_events WHERE client_id = ? ORDER BY name`, [clientId])
        .map((row) => String(row["name"]));
    return { methods: distinct("method"), objects: distinct("object") };
  }

  private insertEvent(batch: IntakeBatch, [timestamp, category, method, object, value, extra]: EventRecord): void {
    this.database.run(
      `INSERT INTO intake_events (batch_id, client_id, timestamp, category, method, object, value, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        batch.batchId,
        batch.clientId,
        timestamp,
        category,
        method,
        object,
        value,
        extra === null ? null : JSON.stringify(extra),
      ],
    );
  }
}

function clientFromRow(row: Row): IntakeClient {
  return {
    clientId: String(row["client_id"]),
    addonVersion: String(row["addon_version"]),
    locale: String(row["locale"]),
    lastSessionId: String(row["session_id"]),
    eventCount: Number(row["event_count"]),
    firstReceivedAt: Number(row["first_received_at"]),
    lastReceivedAt: Number(row["received_at"]),
  };
}

function eventFromRow(row: Row): ReceivedEvent {
  const extra = row["extra"];
  return {
    timestamp: Number(row["timestamp"]),
    category: String(row["category"]),
    method: String(row["method"]),
    object: String(row["object"]),
    value: row["value"] === null ? null : String(row["value"]),
    extra: extra === null ? null : (JSON.parse(String(extra)) as Record<string, string>),
    sessionId: String(row["session_id"]),
    receivedAt: Number(row["received_at"]),
  };
}
