/**
 * Listens to the server's change notices (server-sent events) and asks for a run when a collection newer
 * than the last one seen is published. A notice is only a hint: the run fetches and verifies the changeset
 * as always, so a forged notice can at most cause one extra, harmless run. EventSource reconnects by itself;
 * on reconnect the server sends its current timestamp, so a notice missed while disconnected is caught up.
 */
export class ChangeNoticeListener {
  private source: EventSource | null = null;
  private url = "";
  private lastTimestamp = 0;

  constructor(private readonly onPublished: (timestamp: number) => void) {}

  /** Connects to `url` (or disconnects when it is empty); a no-op when already connected there. */
  listen(url: string): void {
    if (url === this.url) return;
    this.stop();
    this.url = url;
    if (!url) return;
    const source = new EventSource(url);
    source.addEventListener("published", (event) => this.notice((event as MessageEvent<string>).data));
    this.source = source;
  }

  /** Remembers the timestamp a run applied, so the notice for it does not cause another run. */
  applied(timestamp: number): void {
    this.lastTimestamp = Math.max(this.lastTimestamp, timestamp);
  }

  stop(): void {
    this.source?.close();
    this.source = null;
    this.url = "";
  }

  private notice(data: string): void {
    let timestamp: unknown;
    try {
      timestamp = (JSON.parse(data) as { timestamp?: unknown }).timestamp;
    } catch {
      return; // not a notice this client understands; the schedule still runs
    }
    if (typeof timestamp !== "number" || timestamp <= this.lastTimestamp) return;
    this.lastTimestamp = timestamp;
    this.onPublished(timestamp);
  }
}
