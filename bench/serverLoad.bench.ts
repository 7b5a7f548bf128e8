/**
 * The recipe server under load, in Node only (loopback): the server runs in a child process, once on the storage
 * it had before (sql.js, the whole database exported to disk after every write) and once on today's (SQLite
 * writing its own file in WAL mode), side by side in this run. BENCH_CLIENTS simulated clients (default 200)
 * each hold a change-notice stream, poll the changeset with `_since` every second and post 100-event intake
 * batches, together offering the target rate (20,000 events/s; back to back when the server is slower); QA
 * publishes in the middle. Figures: unchanged-changeset latency, intake events per second acknowledged and found
 * on disk after a SIGKILL at the end (and per second of the server's CPU), the time from a publish until every
 * client heard of it, the server's resident memory during the load and when serving a store of 10 k and of 1 M
 * events, and the cost of one batch with 10 k and with 1 M events already stored (in-process, through the intake
 * store).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { IntakeStore } from "../server/intakeStore.js";
import { SimulatedClient, percentile, sleep } from "../test/support/loadClients.js";
import { startBundled } from "../test/support/bundledProcess.js";
import { ServerProcess } from "../test/support/serverProcess.js";
import { SERVER_STORAGES, type ServerStorage } from "../test/support/serverStorages.js";
import type { BenchResult, FigureUnit } from "./benchResult.js";
import { defineBench } from "./defineBench.js";
import { QUICK, ratio, round, summarize } from "./measure.js";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const LOAD_MS = (QUICK ? 8 : 20) * 1000;
const POLL_MS = 1000;
const BATCH_EVENTS = 100;
/** The intake load offered, all clients together (events/s): the target rate, unless BENCH_INTAKE_RATE says otherwise. */
const OFFERED_EVENTS_PER_SECOND = Number(process.env.BENCH_INTAKE_RATE ?? 20_000);
/** Each client posts a batch this often (or back to back when the server is slower than that). */
const BATCH_INTERVAL_MS = (CLIENTS * BATCH_EVENTS * 1000) / OFFERED_EVENTS_PER_SECOND;
const RECIPES = 20;
const PUBLISHES = QUICK ? 1 : 3;
const STORED_SIZES = QUICK ? [10_000, 100_000] : [10_000, 1_000_000];
const COST_SAMPLES = 9;
const FILL_BATCHES = 500;
const STORAGES: Record<ServerStorage, string> = {
  "sqljs-export": "before (sql.js export per write)",
  "sqlite-wal": "after (SQLite WAL)",
};

interface LoadFigures {
  unchangedMs: number[];
  failedPolls: number;
  /** Polls answered with changes: the first after each publish. */
  changedPolls: number;
  ackedPerSecond: number;
  /** Events acknowledged per second of CPU the server used during the load (intake, polls, notices, publishes). */
  ackedPerCpuSecond: number;
  durablePerSecond: number;
  durableMatchesAcked: boolean;
  fanOutMs: number[];
  rssStartMiB: number;
  /** At the first publish, with the load running and the store part filled. */
  rssMidMiB: number;
  rssEndMiB: number;
  costMs: Map<number, number[]>;
  /** The server's resident memory serving a store of each of STORED_SIZES events. */
  rssByStoredMiB: Map<number, number>;
}

defineBench("serverLoad", async () => {
  const measured = new Map<ServerStorage, LoadFigures>();
  for (const storage of Object.keys(STORAGES) as ServerStorage[]) {
    measured.set(storage, { ...(await underLoad(storage)), ...(await storedSizeFigures(storage)) });
  }
  return Object.entries(STORAGES).flatMap(([storage, label]) =>
    figuresOf(
      label,
      measured.get(storage as ServerStorage)!,
      storage === "sqlite-wal" ? measured.get("sqljs-export") : undefined,
    ),
  );
});

async function underLoad(storage: ServerStorage): Promise<Omit<LoadFigures, "costMs" | "rssByStoredMiB">> {
  const dataDir = await mkdtemp(join(tmpdir(), "bench-server-load-"));
  let server = await ServerProcess.start({ dataDir, port: 0, storage });
  try {
    for (let index = 0; index < RECIPES; index++) {
      await post(`${server.url}/admin/api/recipes`, {
        name: `recipe ${index}`,
        action: "console-log",
        arguments: { message: `recipe ${index}` },
        filter_expression: `normandy.locale == "xx-${index}"`,
        capabilities: [],
        enabled: true,
      });
    }
    await post(`${server.url}/admin/api/publish`);
    // The clients' notice streams and polls run in a process of their own, apart from the intake load posted here.
    const notices: WatcherNotice[] = [];
    let watched: { unchangedMs: number[]; changedPolls: number; failedPolls: number } | undefined;
    const { child: watchers } = await startBundled(
      "watchersMain.ts",
      [server.url, String(CLIENTS), String(POLL_MS)],
      (line) => {
        if (isNotice(line)) notices.push(line);
        else watched = line as typeof watched;
      },
    );
    const watchersDone = new Promise((resolve) => watchers.once("exit", resolve));
    const rssStartMiB = server.residentMiB();

    const cpuAtStart = server.cpuSeconds();
    const started = performance.now();
    const stopAt = started + LOAD_MS;
    let ackedEvents = 0;
    const intakeClients = Array.from(
      { length: CLIENTS },
      (_, index) => new SimulatedClient(server.url, index, `${storage}-${Date.now()}`),
    );
    const intake = intakeClients.map(async (client, index) => {
      await sleep((BATCH_INTERVAL_MS * index) / CLIENTS);
      while (performance.now() < stopAt) {
        const posted = performance.now();
        await client.postUntilAcknowledged(client.nextBatch(BATCH_EVENTS), stopAt + 120_000);
        ackedEvents += BATCH_EVENTS;
        await sleep(posted + BATCH_INTERVAL_MS - performance.now());
      }
    });
    const fanOutMs: number[] = [];
    let rssMidMiB = 0;
    for (let publish = 1; publish <= PUBLISHES; publish++) {
      await sleep(started + (LOAD_MS * publish) / (PUBLISHES + 1) - performance.now());
      if (publish === 1) rssMidMiB = server.residentMiB();
      await post(`${server.url}/admin/api/recipes/1/${publish % 2 === 1 ? "disable" : "enable"}`, undefined, {
        retry: true,
      });
      const publishedAt = performance.timeOrigin + performance.now();
      const { timestamp } = (await post(`${server.url}/admin/api/publish`, undefined, { retry: true })) as {
        timestamp: number;
      };
      const heard = () =>
        new Map(
          notices
            .filter((notice) => notice.notice >= timestamp && notice.at >= publishedAt)
            .map((notice) => [notice.client, notice.at]),
        );
      await vi.waitFor(
        () => {
          if (heard().size < CLIENTS) throw new Error(`${heard().size} of ${CLIENTS} clients heard of the publish`);
        },
        { timeout: 120_000, interval: 20 },
      );
      // The first notice each client got of this publish (or a newer one).
      const first = new Map<number, number>();
      for (const notice of notices) {
        if (notice.notice >= timestamp && notice.at >= publishedAt && !first.has(notice.client))
          first.set(notice.client, notice.at);
      }
      for (const at of first.values()) fanOutMs.push(at - publishedAt);
    }
    await Promise.all(intake);
    const elapsedSeconds = (performance.now() - started) / 1000;
    const rssEndMiB = server.residentMiB();
    const cpuSeconds = server.cpuSeconds() - cpuAtStart;
    watchers.kill("SIGTERM");
    await watchersDone;
    if (!watched) throw new Error("the watching clients did not report");

    // What was acknowledged must be on disk: SIGKILL, then count what the database holds.
    await server.kill();
    const database = await SERVER_STORAGES[storage](dataDir);
    const durableEvents = Number(database.rows("SELECT COUNT(*) AS n FROM intake_events")[0]?.["n"]);
    database.close();
    server = await ServerProcess.start({ dataDir, port: 0, storage });
    return {
      unchangedMs: watched.unchangedMs,
      failedPolls: watched.failedPolls,
      changedPolls: watched.changedPolls,
      ackedPerSecond: ackedEvents / elapsedSeconds,
      ackedPerCpuSecond: ackedEvents / cpuSeconds,
      durablePerSecond: durableEvents / elapsedSeconds,
      durableMatchesAcked: durableEvents === ackedEvents,
      fanOutMs,
      rssStartMiB,
      rssMidMiB,
      rssEndMiB,
    };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

interface WatcherNotice {
  client: number;
  notice: number;
  /** ms since the epoch, fractional */
  at: number;
}

function isNotice(line: unknown): line is WatcherNotice {
  return typeof line === "object" && line !== null && "notice" in line;
}

/**
 * The time to store one batch (until durable) with each of STORED_SIZES events already stored: one store filled
 * to each size, their samples taken in turn, so a busy moment of the machine weighs on both.
 */
async function storedSizeFigures(storage: ServerStorage): Promise<Pick<LoadFigures, "costMs" | "rssByStoredMiB">> {
  const stores = await Promise.all(STORED_SIZES.map(async (size) => ({ size, ...(await filledStore(storage, size)) })));
  try {
    const costs = new Map<number, number[]>(STORED_SIZES.map((size) => [size, []]));
    for (let sample = 0; sample < COST_SAMPLES; sample++) {
      for (const { size, intake, batch } of stores) {
        const start = performance.now();
        await intake.store(batch());
        costs.get(size)!.push(performance.now() - start);
      }
    }
    const rssByStoredMiB = new Map<number, number>();
    for (const { size, dataDir, close } of stores) {
      close();
      rssByStoredMiB.set(size, await residentServing(storage, dataDir));
    }
    return { costMs: costs, rssByStoredMiB };
  } finally {
    for (const { dataDir } of stores) await rm(dataDir, { recursive: true, force: true });
  }
}

/** The resident memory of a server started on `dataDir` once it has taken and served a little (20 batches and polls). */
async function residentServing(storage: ServerStorage, dataDir: string): Promise<number> {
  const server = await ServerProcess.start({ dataDir, port: 0, storage });
  try {
    const client = new SimulatedClient(server.url, 0, `${storage}-resident`);
    for (let round = 0; round < 20; round++) {
      await client.postUntilAcknowledged(client.nextBatch(BATCH_EVENTS), performance.now() + 120_000);
      await client.pollChangeset();
    }
    return server.residentMiB();
  } finally {
    await server.stop();
  }
}

/** A store of `storage` holding `size` events from 200 clients, filled FILL_BATCHES batches per transaction. */
async function filledStore(storage: ServerStorage, size: number) {
  const dataDir = await mkdtemp(join(tmpdir(), "bench-batch-cost-"));
  const database = await SERVER_STORAGES[storage](dataDir);
  const intake = new IntakeStore(database, () => new Date());
  const clients = Array.from(
    { length: 200 },
    (_, index) => new SimulatedClient("http://unused", index, `${storage}-${size}`),
  );
  let next = 0;
  const batch = () => clients[next++ % clients.length]!.nextBatch(BATCH_EVENTS);
  for (let stored = 0; stored < size;) {
    const batches = Math.min(FILL_BATCHES, Math.ceil((size - stored) / BATCH_EVENTS));
    let pending: Promise<unknown>[] = [];
    database.write(() => {
      pending = Array.from({ length: batches }, () => intake.store(batch()));
    });
    await Promise.all(pending);
    stored += batches * BATCH_EVENTS;
  }
  return { intake, batch, dataDir, close: () => database.close() };
}

function figuresOf(label: string, figures: LoadFigures, before: LoadFigures | undefined): BenchResult[] {
  const [small, large] = STORED_SIZES as [number, number];
  const smallCost = summarize(
    `one ${BATCH_EVENTS}-event batch at ${small / 1000} k stored, ${label}`,
    figures.costMs.get(small)!,
  );
  const largeCost = summarize(
    `one ${BATCH_EVENTS}-event batch at ${large / 1000} k stored, ${label}`,
    figures.costMs.get(large)!,
  );
  const growth = ratio(largeCost.median, smallCost.median);
  const smallRss = figures.rssByStoredMiB.get(small)!;
  const largeRss = figures.rssByStoredMiB.get(large)!;
  const list: [BenchResult, ((value: number) => boolean) | undefined, string | undefined, number | undefined][] = [
    [
      quantile(`unchanged changeset p50 under load, ${label}`, figures.unchangedMs, 0.5, {
        failed: figures.failedPolls,
        changed: figures.changedPolls,
      }),
      undefined,
      undefined,
      before && percentile(before.unchangedMs, 0.5),
    ],
    [
      quantile(`unchanged changeset p99 under load, ${label}`, figures.unchangedMs, 0.99, {
        failed: figures.failedPolls,
        changed: figures.changedPolls,
      }),
      (v) => v <= 20,
      "p99 ≤ 20 ms",
      before && percentile(before.unchangedMs, 0.99),
    ],
    [
      {
        ...single(`intake events/s acknowledged, ${label}`, figures.ackedPerSecond, "events/s"),
        note: `${OFFERED_EVENTS_PER_SECOND} events/s offered: each client posts a ${BATCH_EVENTS}-event batch every ${round(BATCH_INTERVAL_MS)} ms, or back to back when slower`,
      },
      undefined,
      undefined,
      before?.ackedPerSecond,
    ],
    [
      {
        ...single(`intake events acknowledged per server CPU-second, ${label}`, figures.ackedPerCpuSecond, "events/s"),
        note: "what one free core could take: the server's CPU time during the load (all of its work) divides the events it acknowledged",
      },
      undefined,
      undefined,
      before?.ackedPerCpuSecond,
    ],
    [
      {
        ...single(`intake events/s durable (on disk after SIGKILL), ${label}`, figures.durablePerSecond, "events/s"),
        note: figures.durableMatchesAcked
          ? "every acknowledged event was on disk"
          : "the events on disk differ from those acknowledged",
      },
      (v) => v >= 20_000,
      "≥ 20,000 events/s durable",
      before?.durablePerSecond,
    ],
    [
      quantile(`publish → every client's notice p99, ${CLIENTS} clients, ${label}`, figures.fanOutMs, 0.99),
      (v) => v <= 200,
      "p99 ≤ 200 ms",
      before && percentile(before.fanOutMs, 0.99),
    ],
    [single(`server RSS at start, ${label}`, figures.rssStartMiB, "MiB"), undefined, undefined, before?.rssStartMiB],
    [
      single(`server RSS at the first publish, ${label}`, figures.rssMidMiB, "MiB"),
      undefined,
      undefined,
      before?.rssMidMiB,
    ],
    [single(`server RSS at end, ${label}`, figures.rssEndMiB, "MiB"), undefined, undefined, before?.rssEndMiB],
    [
      single(`server RSS serving ${small / 1000} k stored events, ${label}`, smallRss, "MiB"),
      undefined,
      undefined,
      before?.rssByStoredMiB.get(small),
    ],
    [
      {
        ...single(`server RSS serving ${large / 1000} k stored events, ${label}`, largeRss, "MiB"),
        note: `${ratio(largeRss, smallRss)}× the server's memory at ${small / 1000} k stored (started afresh on each store, after 20 batches and polls)`,
      },
      (rss) => rss <= smallRss * 1.25,
      `flat: ≤ 1.25 × at ${small / 1000} k stored`,
      before?.rssByStoredMiB.get(large),
    ],
    [smallCost, undefined, undefined, before && summarize("", before.costMs.get(small)!).median],
    [largeCost, undefined, undefined, before && summarize("", before.costMs.get(large)!).median],
    [
      single(`batch cost ${large / 1000} k ÷ ${small / 1000} k stored, ${label}`, growth, "×"),
      (v) => v <= 2,
      "≤ 2×",
      undefined,
    ],
  ];
  return list.map(([figure, meets, goal, baseline]) => {
    const ratios: Record<string, number> = baseline === undefined ? {} : { before: ratio(figure.median, baseline) };
    return { ...figure, ratios, ...(meets && goal ? { target: { goal, met: meets(figure.median) } } : {}) };
  });
}

/** A percentile as the figure's value, with the distribution's range and size. */
function quantile(
  name: string,
  values: readonly number[],
  q: number,
  polls?: { failed: number; changed: number },
): BenchResult {
  const failures = polls
    ? `; ${polls.changed} polls answered with changes and ${polls.failed} failed (connection closed), not counted`
    : "";
  return {
    ...summarize(name, values),
    median: round(percentile(values, q)),
    note: `the ${q * 100}th percentile of ${values.length} samples${failures}`,
  };
}

function single(name: string, value: number, unit: FigureUnit): BenchResult {
  return { ...summarize(name, [value], unit), median: round(value) };
}

/**
 * POSTs JSON and returns the answer. With `retry`, a connection the server closed unanswered (the old storage,
 * blocked for longer than Node's header timeout) is tried again, as QA would press the button again.
 */
/** POSTs `body` as JSON, or nothing when there is none (the server refuses a body an endpoint does not use). */
async function post(url: string, body?: unknown, { retry = false } = {}): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(
        url,
        body === undefined
          ? { method: "POST" }
          : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
      );
    } catch (error) {
      if (!retry || attempt >= 10) throw error;
      continue;
    }
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }
}
