import { INTAKE_BATCH_MAX_EVENTS, type IntakeBatch, type IntakeEnvelope } from "../core/index.js";
import type { LoggedEvent } from "../stores/EventLogStore.js";
import type { IntakeQueueStore, QueuedEvent } from "../stores/IntakeQueueStore.js";
import type { EventSink } from "./EventSink.js";
import { postIntakeBatch, type IntakePost } from "./postIntakeBatch.js";
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from "./retryDelay.js";
import type { TelemetryUploadState } from "./TelemetryUploadState.js";

/** Starts a timer; returns the function that cancels it. */
export type StartTimer = (callback: () => void, delayMs: number) => () => void;

export interface IntakeUploaderDeps {
  queue: IntakeQueueStore;
  uploadState: TelemetryUploadState;
  /** The configured intake URL (`extensions.recipeclient.intake_url`), read before every send. */
  intakeUrl(): Promise<string>;
  envelope(): Promise<IntakeEnvelope>;
  warn(message: string): void;
  post?: IntakePost;
  startTimer?: StartTimer;
  newBatchId?: () => string;
  now?: () => number;
  retry?: RetryPolicy;
  /** How long an event waits for others to share its batch; default 1 s. */
  batchDelayMs?: number;
}

const startTimeout: StartTimer = (callback, delayMs) => {
  const handle = setTimeout(callback, delayMs);
  return () => clearTimeout(handle);
};

/**
 * Sends events to the intake, in batches of at most 500, when and only when telemetry upload is enabled:
 * an event recorded while upload is off is never queued, and turning upload off drops everything not yet
 * sent. Failed sends are retried with exponential backoff, honouring the intake's `Retry-After`; a batch
 * the intake refuses outright (a 4xx other than 408/429) is dropped with a warning, since it would
 * otherwise block every later batch.
 */
export class IntakeUploader implements EventSink {
  private readonly post: IntakePost;
  private readonly startTimer: StartTimer;
  private readonly newBatchId: () => string;
  private readonly now: () => number;
  private readonly retry: RetryPolicy;
  private readonly batchDelayMs: number;

  private cancelTimer: (() => void) | null = null;
  private timerDueAt = 0;
  /** No send before this time (ms since the epoch): the current backoff. */
  private notBefore = 0;
  private failedAttempts = 0;
  /** The batch being sent, kept so a retry sends the same events under the same id. */
  private current: { batchId: string; firstSeq: number; lastSeq: number } | null = null;
  private sending: Promise<void> | null = null;
  private sendAgain = false;

  constructor(private readonly deps: IntakeUploaderDeps) {
    this.post = deps.post ?? postIntakeBatch;
    this.startTimer = deps.startTimer ?? startTimeout;
    this.newBatchId = deps.newBatchId ?? (() => crypto.randomUUID());
    this.now = deps.now ?? Date.now;
    this.retry = deps.retry ?? DEFAULT_RETRY_POLICY;
    this.batchDelayMs = deps.batchDelayMs ?? 1_000;
    deps.uploadState.onUploadDisabled(() => this.discardPending());
  }

  async append(...events: LoggedEvent[]): Promise<void> {
    if (events.length === 0 || !(await this.deps.uploadState.isEnabled())) return;
    await this.deps.queue.add(...events);
    this.scheduleSend(this.batchDelayMs);
  }

  /** Plans a send of whatever a previous session left pending. */
  start(): void {
    this.scheduleSend(this.batchDelayMs);
  }

  /** Sends everything pending now (unless backing off); resolves when done or when a send failed. */
  send(): Promise<void> {
    if (this.sending) {
      this.sendAgain = true;
      return this.sending;
    }
    this.sending = (async () => {
      do {
        this.sendAgain = false;
        await this.sendPending();
      } while (this.sendAgain && this.now() >= this.notBefore);
    })().finally(() => {
      this.sending = null;
    });
    return this.sending;
  }

  private async sendPending(): Promise<void> {
    if (this.now() < this.notBefore) {
      this.scheduleSend(0); // at the end of the backoff
      return;
    }
    for (;;) {
      // Read right before each send: upload may have been turned off since the events were queued.
      if (!(await this.deps.uploadState.isEnabled())) return;
      const oldest = await this.deps.queue.oldest(INTAKE_BATCH_MAX_EVENTS);
      if (oldest.length === 0) return;
      const url = await this.deps.intakeUrl();
      if (!isHttpUrl(url)) {
        this.deps.warn(`Telemetry not sent: the intake URL ${JSON.stringify(url)} is not an http(s) URL`);
        return;
      }
      const { batchId, events } = this.batchOf(oldest);
      const batch: IntakeBatch = {
        ...(await this.deps.envelope()),
        batchId,
        events: events.map((queued) => queued.event),
      };
      const outcome = await this.post(url, batch);
      if (outcome.kind === "retry") {
        this.failedAttempts += 1;
        const delay = retryDelayMs(this.failedAttempts, outcome.retryAfter, this.retry, this.now());
        this.notBefore = this.now() + delay;
        this.deps.warn(`Telemetry batch not sent (${outcome.why}); retry ${this.failedAttempts} in ${delay} ms`);
        this.scheduleSend(delay);
        return;
      }
      if (outcome.kind === "refused")
        this.deps.warn(`The intake refused a telemetry batch, which is dropped: ${outcome.why}`);
      this.failedAttempts = 0;
      this.current = null;
      await this.deps.queue.removeThrough(events.at(-1)!.seq);
    }
  }

  /** The batch to send from the oldest pending events: the one being retried, or a new one. */
  private batchOf(oldest: QueuedEvent[]): { batchId: string; events: QueuedEvent[] } {
    const first = oldest[0]!;
    const current = this.current;
    if (current && current.firstSeq === first.seq) {
      return { batchId: current.batchId, events: oldest.filter((queued) => queued.seq <= current.lastSeq) };
    }
    this.current = { batchId: this.newBatchId(), firstSeq: first.seq, lastSeq: oldest.at(-1)!.seq };
    return { batchId: this.current.batchId, events: oldest };
  }

  private async discardPending(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.current = null;
    this.failedAttempts = 0;
    this.notBefore = 0;
    await this.deps.queue.clear();
  }

  /** Plans a send in `delayMs`, never before the current backoff ends nor later than one already planned. */
  private scheduleSend(delayMs: number): void {
    const dueAt = Math.max(this.now() + delayMs, this.notBefore);
    if (this.cancelTimer && this.timerDueAt <= dueAt) return;
    this.cancelTimer?.();
    this.timerDueAt = dueAt;
    this.cancelTimer = this.startTimer(() => {
      this.cancelTimer = null;
      this.send().catch((error: unknown) => this.deps.warn(`Sending telemetry failed: ${String(error)}`));
    }, dueAt - this.now());
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
