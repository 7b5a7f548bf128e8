import { vi } from "vitest";

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `read` with `vi.waitFor` until it gives a value (anything but undefined, null or false) and returns
 * it; a read that throws counts as "not yet" (the background page does not answer while Firefox restarts).
 * On timeout it fails naming `what`, with the last read's error as the cause.
 *
 * Why not vitest's primitives alone: `vi.waitUntil` gives up at the first read that throws, and `expect.poll`
 * returns no value and works only inside a test, not in the hooks and the harness that also wait.
 */
export async function waitForValue<T>(
  what: string,
  read: () => Promise<T | undefined | null | false>,
  { timeoutMs = 15_000, intervalMs = 250 }: WaitOptions = {},
): Promise<T> {
  return vi.waitFor(
    async () => {
      let value: T | undefined | null | false;
      try {
        value = await read();
      } catch (error) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: error });
      }
      if (value === undefined || value === null || value === false)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      return value;
    },
    { timeout: timeoutMs, interval: intervalMs },
  );
}
