import { describe, expect, it } from "vitest";
import { useTestServers } from "./serverHarness.js";

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
});
