import { describe, expect, it } from "vitest";
import { CONSOLE_LOG_RECIPE, fetchJson, useTestServers } from "./serverHarness.js";

/** Reads server-sent events from a streaming fetch body, one `{event, data}` at a time. */
function eventReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  const next = async (): Promise<{ event: string; data: unknown }> => {
    for (;;) {
      const end = buffered.indexOf("\n\n");
      if (end !== -1) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (block.startsWith(":")) continue; // heartbeat comment
        const field = (name: string) =>
          block
            .split("\n")
            .find((line) => line.startsWith(`${name}: `))
            ?.slice(name.length + 2);
        return { event: field("event") ?? "message", data: JSON.parse(field("data") ?? "null") };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("the event stream ended");
      buffered += decoder.decode(value, { stream: true });
    }
  };
  return { next, close: () => reader.cancel() };
}

describe("change notices", () => {
  const servers = useTestServers();

  it("streams the current timestamp on connect, then one notice per publish", async () => {
    const server = await servers.start();
    const response = await fetch(server.config.noticesUrl);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const { next, close } = eventReader(response.body!);

    const initial = await next();
    expect(initial).toEqual({ event: "published", data: { timestamp: expect.any(Number) } });

    const published = await server.publish();
    expect(await next()).toEqual({ event: "published", data: { timestamp: published.timestamp } });
    expect(published.timestamp).toBeGreaterThan((initial.data as { timestamp: number }).timestamp);
    await close();
  });

  it("sends no notice for a preview: the next notice after one is the next publish's", async () => {
    // A clock a second further at every reading, so the preview's timestamp and the publish's cannot coincide.
    let clock = Date.UTC(2026, 0, 1);
    const server = await servers.start({ now: () => new Date((clock += 1000)) });
    const recipe = server.store.create({ ...CONSOLE_LOG_RECIPE, capabilities: [] }, false);
    const response = await fetch(server.config.noticesUrl);
    const { next, close } = eventReader(response.body!);
    await next();

    const previewed = await fetchJson<{ timestamp: number }>(`${server.url}/admin/api/recipes/${recipe.id}/preview`, {
      method: "POST",
    });
    expect(previewed.status).toBe(200);
    const published = await server.publish();
    expect(await next()).toEqual({ event: "published", data: { timestamp: published.timestamp } });
    expect(published.timestamp).toBeGreaterThan(previewed.body.timestamp);
    await close();
  });
});
