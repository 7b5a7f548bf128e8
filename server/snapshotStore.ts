import type { SignatureRef } from "../src/core/index.js";
import type { RecipeDatabase, Row } from "./database.js";
import type { PublishedRecord, PublishedSnapshot } from "./publishedSnapshot.js";

/** Durable history of published snapshots. Old snapshots are kept so tests can replay an older changeset. */
export class SnapshotStore {
  constructor(private readonly database: RecipeDatabase) {}

  latest(): PublishedSnapshot | undefined {
    const row = this.database.rows("SELECT * FROM published_snapshots ORDER BY timestamp DESC LIMIT 1")[0];
    return row && snapshotFromRow(row);
  }

  at(timestamp: number): PublishedSnapshot | undefined {
    const row = this.database.rows("SELECT * FROM published_snapshots WHERE timestamp = ?", [timestamp])[0];
    return row && snapshotFromRow(row);
  }

  /** Every published collection timestamp, oldest first. */
  timestamps(): number[] {
    return this.database
      .rows("SELECT timestamp FROM published_snapshots ORDER BY timestamp")
      .map((row) => Number(row["timestamp"]));
  }

  save(snapshot: PublishedSnapshot): void {
    this.database.write(() =>
      this.database.run(
        "INSERT INTO published_snapshots (timestamp, server_url, records, signature) VALUES (?, ?, ?, ?)",
        [snapshot.timestamp, snapshot.serverUrl, JSON.stringify(snapshot.records), JSON.stringify(snapshot.signature)],
      ),
    );
  }
}

function snapshotFromRow(row: Row): PublishedSnapshot {
  return {
    timestamp: Number(row["timestamp"]),
    serverUrl: String(row["server_url"]),
    records: JSON.parse(String(row["records"])) as PublishedRecord[],
    signature: JSON.parse(String(row["signature"])) as SignatureRef,
  };
}
