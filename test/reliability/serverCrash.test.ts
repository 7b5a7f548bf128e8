/**
 * The recipe server under load survives SIGKILL. The server runs in a child process; simulated clients hold
 * change-notice streams, poll nothing but post intake batches back to back (retrying a batch under the same
 * id until it is acknowledged, as the add-on does), while QA publishes again and again. At seeded random
 * moments the server is SIGKILLed and started again on the same data folder and port. Then:
 * - clients resume: every notice stream reconnects and hears a timestamp at least as new as the last
 *   acknowledged publish, and the intake acknowledges batches again;
 * - every acknowledged batch is stored exactly once, whole (retries included), and no stored batch is partial;
 * - every acknowledged publish is in the history, and every snapshot in it is whole: its collection signature
 *   verifies over its records.
 * RELIABILITY_SERVER_STORAGE=sqljs-export runs the same against the storage this replaced (today's code before it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it, vi } from "vitest";
import type { RecipesChangeset } from "../../server/changeset.js";
import { collectionSignedData } from "../../src/core/collectionSignedData.js";
import { verifyContentSignature } from "../../src/core/contentSignature.js";
import type { IntakeBatch } from "../../src/core/intakeBatch.js";
import { SimulatedClient, sleep } from "../support/loadClients.js";
import { ServerProcess } from "../support/serverProcess.js";
import { SERVER_STORAGES, serverStorage } from "../support/serverStorages.js";
import { AreaTally, QUICK, reliabilitySeed } from "./support/areaFigures.js";
import { SeededRandom } from "./support/seededRandom.js";

const STORAGE = serverStorage(process.env.RELIABILITY_SERVER_STORAGE ?? "sqlite-wal");
const KILLS = QUICK ? 3 : 10;
const CLIENTS = QUICK ? 16 : 50;
const BATCH_EVENTS = 40;
const RECIPES = 5;
/** How long after a restart clients may take to resume before the round counts as failed. */
const RESUME_TIMEOUT_MS = 30_000;

const tally = new AreaTally("serverCrash");
const seed = reliabilitySeed();
const random = new SeededRandom(seed);
const workDir = mkdtempSync(join(tmpdir(), "server-crash-"));
const figures = {
  kills: 0,
  acked: 0,
  retried: 0,
  duplicates: 0,
  publishes: 0,
  lost: 0,
  wrong: 0,
  partial: 0,
  lostPublishes: 0,
  torn: 0,
};

afterAll(() => {
  tally.write(
    `${figures.kills} SIGKILLs of the server under load (${STORAGE}, seed ${seed}): ${figures.acked} batches acknowledged ` +
      `(${figures.retried} after a retry, ${figures.duplicates} answered as already stored), ${figures.publishes} publishes acknowledged; ` +
      `lost batches = ${figures.lost}, batches stored other than once and whole = ${figures.wrong}, partial batches = ${figures.partial}, ` +
      `lost publishes = ${figures.lostPublishes}, torn snapshots = ${figures.torn}`,
  );
  rmSync(workDir, { recursive: true, force: true });
});

/** POSTs `body` as JSON, or nothing when there is none (the server refuses a body an endpoint does not use). */
async function postJson(url: string, body?: unknown): Promise<unknown> {
  const response = await fetch(
    url,
    body === undefined
      ? { method: "POST" }
      : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
  );
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

it(`acknowledged batches and publishes survive SIGKILLs of the server under load (${STORAGE})`, async () => {
  const dataDir = join(workDir, "server");
  let server = await ServerProcess.start({ dataDir, port: 0, storage: STORAGE });
  const { url, port } = server;
  for (let index = 0; index < RECIPES; index++) {
    await postJson(`${url}/admin/api/recipes`, {
      name: `recipe ${index}`,
      action: "console-log",
      arguments: { message: `recipe ${index}` },
      filter_expression: "true",
      capabilities: [],
      enabled: true,
    });
  }
  const published = new Map<number, number[]>();
  const first = (await postJson(`${url}/admin/api/publish`)) as { timestamp: number; published: number[] };
  published.set(first.timestamp, first.published);

  const clients = Array.from({ length: CLIENTS }, (_, index) => new SimulatedClient(url, index, String(seed)));
  for (const client of clients) client.listen();
  const sent = new Map<string, IntakeBatch>();
  const acked = new Set<string>();
  let stopping = false;
  const giveUpAt = performance.now() + 10 * 60_000;
  const intakeLoops = clients.map(async (client) => {
    while (!stopping) {
      const batch = client.nextBatch(BATCH_EVENTS);
      sent.set(batch.batchId, batch);
      const { duplicate, attempts } = await client.postUntilAcknowledged(batch, giveUpAt);
      acked.add(batch.batchId);
      if (attempts > 1) figures.retried += 1;
      if (duplicate) figures.duplicates += 1;
    }
  });
  // QA toggles one recipe and publishes, over and over; a publish whose answer never came is not acknowledged.
  const publishing = (async () => {
    for (let round = 0; !stopping; round++) {
      try {
        await postJson(`${url}/admin/api/recipes/1/${round % 2 === 0 ? "disable" : "enable"}`);
        const reply = (await postJson(`${url}/admin/api/publish`)) as { timestamp: number; published: number[] };
        published.set(reply.timestamp, reply.published);
      } catch {
        // The server is down: try again once it is back.
      }
      await sleep(random.int(20, 120));
    }
  })();

  try {
    for (let kill = 0; kill < KILLS; kill++) {
      const after = random.int(300, 1500);
      await sleep(after);
      await server.kill();
      figures.kills += 1;
      const lastPublish = Math.max(...published.keys());
      const ackedAtKill = acked.size;
      const heardAtKill = clients.map((client) => client.notices.length);
      await sleep(random.int(0, 300));
      server = await ServerProcess.start({ dataDir, port, storage: STORAGE });
      const problems: string[] = [];
      try {
        await vi.waitFor(
          () => {
            const behind = clients.filter(
              (client, index) =>
                !client.notices.slice(heardAtKill[index]).some((notice) => notice.timestamp >= lastPublish),
            );
            if (behind.length > 0)
              throw new Error(`${behind.length} clients heard no notice of ${lastPublish} or newer since the restart`);
            if (acked.size <= ackedAtKill) throw new Error("the intake acknowledged no batch since the restart");
          },
          { timeout: RESUME_TIMEOUT_MS, interval: 100 },
        );
      } catch (error) {
        problems.push(`clients did not resume: ${(error as Error).message}`);
      }
      tally.record(`kill ${kill} after ${after} ms of load`, problems);
    }
  } finally {
    stopping = true;
    await Promise.all([...intakeLoops, publishing]);
    for (const client of clients) client.stopListening();
  }
  figures.acked = acked.size;
  figures.publishes = published.size;

  // Publishes: every acknowledged one is in the history, and every snapshot verifies over its own records.
  const { rootHash } = (await (await fetch(`${url}/admin/api/config`)).json()) as { rootHash: string };
  const { timestamps } = (await (await fetch(`${url}/admin/api/snapshots`)).json()) as { timestamps: number[] };
  const publishProblems: string[] = [];
  for (const [timestamp] of published) {
    if (!timestamps.includes(timestamp)) publishProblems.push(`acknowledged publish ${timestamp} is gone`);
  }
  figures.lostPublishes = publishProblems.length;
  const chains = new Map<string, string>();
  for (const timestamp of timestamps) {
    const snapshot = (await (await fetch(`${url}/admin/api/snapshots/${timestamp}`)).json()) as RecipesChangeset;
    const { x5u, signature } = snapshot.metadata.signature;
    if (!chains.has(x5u)) chains.set(x5u, await (await fetch(x5u)).text());
    const ids = published.get(timestamp);
    const whole =
      (ids === undefined ||
        JSON.stringify(snapshot.changes.map((record) => record.recipe.id)) === JSON.stringify(ids)) &&
      (await verifyContentSignature({
        data: collectionSignedData(snapshot.changes, snapshot.timestamp),
        signature,
        x5u: chains.get(x5u)!,
        expectedSubject: "remote-settings.content-signature.mozilla.org",
        rootHash,
      }).then(
        () => true,
        () => false,
      ));
    if (!whole) {
      figures.torn += 1;
      publishProblems.push(`snapshot ${timestamp} is not whole`);
    }
  }
  tally.record(`${published.size} acknowledged publishes, ${timestamps.length} snapshots`, publishProblems);
  await server.stop();

  // Batches, read straight from the stopped server's database.
  const database = await SERVER_STORAGES[STORAGE](dataDir);
  const storedBatches = new Set(
    database.rows("SELECT batch_id FROM intake_batches").map((row) => String(row["batch_id"])),
  );
  const storedTimestamps = new Map<string, number[]>();
  for (const row of database.rows("SELECT batch_id, timestamp FROM intake_events ORDER BY id")) {
    const id = String(row["batch_id"]);
    storedTimestamps.set(id, [...(storedTimestamps.get(id) ?? []), Number(row["timestamp"])]);
  }
  database.close();
  const batchProblems: string[] = [];
  const stored = (batch: IntakeBatch | undefined, id: string): boolean =>
    batch !== undefined &&
    storedBatches.has(id) &&
    JSON.stringify(storedTimestamps.get(id)) === JSON.stringify(batch.events.map(([timestamp]) => timestamp));
  for (const id of acked) {
    if (!storedBatches.has(id) && !storedTimestamps.has(id)) {
      figures.lost += 1;
      batchProblems.push(`acknowledged batch ${id} is lost`);
    } else if (!stored(sent.get(id), id)) {
      figures.wrong += 1;
      batchProblems.push(
        `acknowledged batch ${id} is stored with ${storedTimestamps.get(id)?.length ?? 0} of ${BATCH_EVENTS} events`,
      );
    }
  }
  for (const id of new Set([...storedBatches, ...storedTimestamps.keys()])) {
    if (!acked.has(id) && !stored(sent.get(id), id)) {
      figures.partial += 1;
      batchProblems.push(
        `unacknowledged batch ${id} is stored in part (${storedTimestamps.get(id)?.length ?? 0} events)`,
      );
    }
  }
  tally.record(`${acked.size} acknowledged batches of ${sent.size} sent`, batchProblems.slice(0, 20));
  expect(tally.failures).toEqual([]);
});
