/**
 * Entry of a process of watching clients for the server load bench (bundled by bundledProcess.ts), apart from the
 * process that posts the intake load, so what it measures is not queued behind the load it generates. argv:
 * <serverUrl> <clients> <pollMs>. Each client holds a change-notice stream and polls the changeset with `_since`
 * every pollMs, until SIGTERM. Reports, as JSON lines: `{"ready": true}` once every client heard its first notice;
 * `{"client": i, "notice": timestamp, "at": ms}` for each later notice (ms since the epoch, fractional, comparable across
 * processes); at the end `{"unchangedMs": [...], "changedPolls": n, "failedPolls": n}`.
 */
import { SimulatedClient, sleep } from "./loadClients.js";

const [serverUrl, count, pollMs] = process.argv.slice(2);
let stopping = false;
process.once("SIGTERM", () => {
  stopping = true;
});
const clients = Array.from(
  { length: Number(count) },
  (_, index) => new SimulatedClient(serverUrl!, index, `watch-${process.pid}`),
);
const now = () => performance.timeOrigin + performance.now();
const report = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);

let ready = false;
for (const [index, client] of clients.entries()) {
  client.onNotice = (timestamp) => {
    if (ready) report({ client: index, notice: timestamp, at: now() });
    else if (clients.every((each) => each.notices.length > 0)) {
      ready = true;
      report({ ready: true });
    }
  };
  client.listen();
}
while (!ready) await sleep(20);

const unchangedMs: number[] = [];
let failedPolls = 0;
let changedPolls = 0;
await Promise.all(
  clients.map(async (client, index) => {
    client.knownTimestamp = client.lastNotice;
    await sleep((Number(pollMs) * index) / clients.length);
    while (!stopping) {
      const known = client.knownTimestamp;
      try {
        const { ms, unchanged } = await client.pollChangeset();
        if (unchanged && known === client.knownTimestamp) unchangedMs.push(ms);
        else changedPolls += 1;
      } catch {
        // A server too busy to answer (Node's header timeout closes the connection): counted, not timed.
        failedPolls += 1;
      }
      await sleep(Number(pollMs));
    }
  }),
);
for (const client of clients) client.stopListening();
report({ unchangedMs, changedPolls, failedPolls });
process.exit(0);
