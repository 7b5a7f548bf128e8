import type { ServerResponse } from "node:http";

/** How often an idle stream gets a comment line, so proxies and clients can tell it is alive. */
const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events that tell connected clients a new collection was published, so they run within a
 * second instead of waiting for their schedule. Each notice is `event: published` with the collection
 * timestamp as data; the client fetches and verifies the changeset as usual (a notice is only a hint).
 */
export class ChangeNotices {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat = setInterval(() => this.broadcast(": heartbeat\n\n"), HEARTBEAT_MS);

  constructor() {
    this.heartbeat.unref();
  }

  /** Takes over `response` as an event stream until the client disconnects. */
  subscribe(response: ServerResponse, currentTimestamp: number): void {
    response.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-store",
      "Access-Control-Allow-Origin": "*",
      "X-Content-Type-Options": "nosniff",
    });
    // The current timestamp first, so a client that reconnects after missing a notice catches up.
    response.write(notice(currentTimestamp));
    this.clients.add(response);
    response.on("close", () => this.clients.delete(response));
  }

  published(timestamp: number): void {
    this.broadcast(notice(timestamp));
  }

  get connectedClients(): number {
    return this.clients.size;
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private broadcast(text: string): void {
    for (const client of this.clients) client.write(text);
  }
}

function notice(timestamp: number): string {
  return `event: published\ndata: ${JSON.stringify({ timestamp })}\n\n`;
}
