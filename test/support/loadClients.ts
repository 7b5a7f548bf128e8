/**
 * Simulated recipe clients for the server load bench and the server kill test, all over loopback HTTP: each
 * holds a change-notice stream (reconnecting when the server goes away, as the add-on does), polls the
 * changeset with `_since`, and posts intake batches of events the intake's registries allow, retrying a batch
 * under the same id until the server acknowledges it.
 */
import { request as httpRequest, type ClientRequest } from "node:http";
import type { EventRecord } from "../../src/core/eventFormat.js";
import type { IntakeBatch } from "../../src/core/intakeBatch.js";
import type { RecipesChangeset } from "../../server/changeset.js";

const CHANGESET_PATH = "/v1/buckets/main/collections/normandy-recipes-capabilities/changeset";
const RECONNECT_MS = 100;
const RETRY_MS = 50;

/** What a client's run produces, in the order the add-on logs it: uptake, enrollments, unenrollments. */
function eventAt(sequence: number, timestamp: number): EventRecord {
  const study = `study-${sequence % 7}`;
  // One enrollment per study, as the registry requires its id on enroll and unenroll.
  const enrollmentId = `6b0c9a3e-0000-4000-8000-${String(sequence % 7).padStart(12, "0")}`;
  switch (sequence % 4) {
    case 0:
      return [timestamp, "uptake.remotecontent.result", "uptake", "normandy", "success", { source: "normandy/runner" }];
    case 1:
      return [
        timestamp,
        "uptake.remotecontent.result",
        "uptake",
        "normandy",
        "success",
        { source: `normandy/recipe/${sequence % 40}` },
      ];
    case 2:
      return [
        timestamp,
        "normandy",
        "enroll",
        "preference_study",
        study,
        { branch: "treatment", experimentType: "exp", enrollmentId },
      ];
    default:
      return [
        timestamp,
        "normandy",
        "unenroll",
        "preference_study",
        study,
        { reason: "recipe-not-seen", didResetValue: "true", enrollmentId },
      ];
  }
}

export class SimulatedClient {
  readonly clientId: string;
  private readonly sessionId: string;
  private batches = 0;
  private clock = 1000;
  /** Collection timestamps from the notice stream, with when each arrived (performance.now()). */
  readonly notices: { timestamp: number; at: number }[] = [];
  /** Connections the notice stream made (1 + reconnects). */
  noticeConnections = 0;
  knownTimestamp = 0;
  /** Called with each notice as it arrives. */
  onNotice: (timestamp: number) => void = () => undefined;
  private stream: ClientRequest | undefined;
  private listening = false;

  constructor(
    private readonly serverUrl: string,
    index: number,
    private readonly runId: string,
  ) {
    this.clientId = `load-${runId}-${index}`;
    this.sessionId = `session-${runId}-${index}`;
  }

  /** The next batch this client would send: `size` events, a fresh batch id. */
  nextBatch(size: number): IntakeBatch {
    const events = Array.from({ length: size }, (_, index) => eventAt(index, (this.clock += 7)));
    return {
      batchId: `${this.clientId}-b${this.batches++}`,
      clientId: this.clientId,
      sessionId: this.sessionId,
      addonVersion: "0.1.0",
      locale: "en-US",
      events,
    };
  }

  /**
   * POSTs `batch` until the server acknowledges it (201 stored, 200 already stored), retrying after a refused
   * or dropped connection and after a 5xx; gives up at `deadline` (performance.now()). Anything else is a bug.
   */
  async postUntilAcknowledged(batch: IntakeBatch, deadline: number): Promise<{ duplicate: boolean; attempts: number }> {
    const body = JSON.stringify(batch);
    for (let attempts = 1; ; attempts++) {
      try {
        const response = await fetch(`${this.serverUrl}/intake/v1/batches`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body,
        });
        const reply = (await response.json()) as { duplicate?: boolean };
        if (response.status === 200 || response.status === 201)
          return { duplicate: reply.duplicate === true, attempts };
        if (response.status < 500)
          throw new Error(`intake refused ${batch.batchId}: HTTP ${response.status} ${JSON.stringify(reply)}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith("intake refused")) throw error;
      }
      if (performance.now() > deadline)
        throw new Error(`intake never acknowledged ${batch.batchId} (${attempts} attempts)`);
      await sleep(RETRY_MS);
    }
  }

  /** One `_since` poll at the timestamp this client knows; its latency and whether it said "unchanged". */
  async pollChangeset(): Promise<{ ms: number; unchanged: boolean }> {
    const started = performance.now();
    const response = await fetch(`${this.serverUrl}${CHANGESET_PATH}?_since=${this.knownTimestamp}`);
    const body = (await response.json()) as RecipesChangeset;
    const ms = performance.now() - started;
    if (response.status !== 200) throw new Error(`changeset: HTTP ${response.status}`);
    const unchanged = body.changes.length === 0 && body.timestamp <= this.knownTimestamp;
    this.knownTimestamp = Math.max(this.knownTimestamp, body.timestamp);
    return { ms, unchanged };
  }

  /** Opens the notice stream and keeps it open (reconnecting) until `stopListening`. */
  listen(): void {
    this.listening = true;
    this.connect();
  }

  stopListening(): void {
    this.listening = false;
    this.stream?.destroy();
  }

  /** The newest timestamp a notice brought. */
  get lastNotice(): number {
    return this.notices.at(-1)?.timestamp ?? 0;
  }

  private connect(): void {
    if (!this.listening) return;
    this.noticeConnections += 1;
    let retried = false;
    const retry = (): void => {
      if (retried) return;
      retried = true;
      setTimeout(() => this.connect(), RECONNECT_MS);
    };
    const stream = httpRequest(
      `${this.serverUrl}/notices`,
      { headers: { Accept: "text/event-stream" } },
      (response) => {
        let buffered = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          buffered += chunk;
          let end: number;
          while ((end = buffered.indexOf("\n\n")) >= 0) {
            const message = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            const data = /^data: (.*)$/m.exec(message)?.[1];
            if (message.startsWith("event: published") && data) {
              const { timestamp } = JSON.parse(data) as { timestamp: number };
              this.notices.push({ timestamp, at: performance.now() });
              this.onNotice(timestamp);
            }
          }
        });
        response.on("close", retry);
        response.on("error", retry);
      },
    );
    stream.on("error", retry);
    stream.end();
    this.stream = stream;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The value at quantile `q` (0–1) of `values`, nearest rank. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}
