import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { IntakeBatch, IntakeEnvelope } from "../../src/core/intakeBatch.js";
import type { LoggedEvent } from "../../src/stores/EventLogStore.js";
import { IntakeQueueStore } from "../../src/stores/IntakeQueueStore.js";
import { IntakeUploader } from "../../src/telemetry/IntakeUploader.js";
import { postIntakeBatch, type IntakePost, type IntakePostOutcome } from "../../src/telemetry/postIntakeBatch.js";
import { EnrollmentTelemetryRecorder } from "../../src/telemetry/EnrollmentTelemetryRecorder.js";
import { allOf } from "../../src/telemetry/EventSink.js";
import { INTAKE_CLIENT_ID_PREF, intakeClientId, intakeEnvelopeSource } from "../../src/telemetry/intakeEnvelope.js";
import { DEFAULT_RETRY_POLICY, retryDelayMs } from "../../src/telemetry/retryDelay.js";
import { EventLogStore } from "../../src/stores/EventLogStore.js";
import { TelemetryUploadState, UPLOAD_ENABLED_PREF } from "../../src/telemetry/TelemetryUploadState.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { FakeTelemetryApi } from "../fakes/FakeTelemetryApi.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";
import { useTestServers } from "./serverHarness.js";

const ENVELOPE: IntakeEnvelope = {
  clientId: "6f1b3c2a-1d7e-4a55-9c3e-0b8d2e4f6a71",
  sessionId: "0d8e5c7b-3a2f-4e61-8b9d-7c6a5e4f3b2a",
  addonVersion: "0.1.0",
  locale: "en-US",
};

const uptakeEvent = (n: number): LoggedEvent => [
  n,
  "uptake.remotecontent.result",
  "uptake",
  "normandy",
  "success",
  { source: `normandy/recipe/${n}` },
];

interface PlannedTimer {
  delayMs: number;
  callback: () => void;
  /** Cancelled by the uploader, or already fired. */
  done: boolean;
}

/** An uploader over fakes: prefs, in-memory queue, a manual clock, recorded timers and sends. */
async function uploaderWith(
  options: { post?: IntakePost; url?: string; uploadEnabled?: boolean; storage?: MemoryStorage } = {},
) {
  const prefs = new FakePrefsApi();
  await prefs.setPref(UPLOAD_ENABLED_PREF, options.uploadEnabled ?? true, "user");
  const warnings: string[] = [];
  const storage = options.storage ?? new MemoryStorage();
  const uploadState = new TelemetryUploadState(prefs, storage, (message) => warnings.push(message));
  const queue = new IntakeQueueStore(storage);
  const sent: IntakeBatch[] = [];
  const timers: PlannedTimer[] = [];
  const clock = { now: 1_700_000_000_000 };
  let batches = 0;
  const post = options.post ?? (async (): Promise<IntakePostOutcome> => ({ kind: "accepted" }));
  const uploader = new IntakeUploader({
    queue,
    uploadState,
    intakeUrl: async () => options.url ?? "http://127.0.0.1:1/intake/v1/batches",
    envelope: async () => ENVELOPE,
    warn: (message) => warnings.push(message),
    post: async (url, batch) => {
      sent.push(structuredClone(batch));
      return post(url, batch);
    },
    startTimer: (callback, delayMs) => {
      const timer = { delayMs, callback, done: false };
      timers.push(timer);
      return () => {
        timer.done = true;
      };
    },
    newBatchId: () => `batch-${++batches}`,
    now: () => clock.now,
  });
  const setUploadEnabled = async (enabled: boolean) => {
    await prefs.setPref(UPLOAD_ENABLED_PREF, enabled, "user");
    await prefs.settled();
  };
  const plannedDelays = () => timers.filter((timer) => !timer.done).map((timer) => timer.delayMs);
  /** Lets the clock reach the one planned timer and fires it; resolves when the send it starts is over. */
  const fireTimer = async () => {
    const [timer, ...others] = timers.filter((candidate) => !candidate.done);
    expect(timer, "a planned timer").toBeDefined();
    expect(others).toEqual([]);
    timer!.done = true;
    clock.now += timer!.delayMs;
    timer!.callback();
    await uploader.send(); // joins the send the timer started
  };
  return { prefs, uploadState, queue, uploader, sent, plannedDelays, fireTimer, warnings, setUploadEnabled };
}

describe("IntakeUploader", () => {
  it("sends what was recorded in batches of at most 500, oldest first, each with the envelope", async () => {
    const { uploader, sent, queue, plannedDelays, fireTimer } = await uploaderWith();
    const events = Array.from({ length: 1234 }, (_, index) => uptakeEvent(index));
    for (const event of events) await uploader.append(event);
    expect(plannedDelays()).toEqual([1_000]);

    await fireTimer();

    expect(sent.map((batch) => batch.events.length)).toEqual([500, 500, 234]);
    expect(sent.flatMap((batch) => batch.events)).toEqual(events);
    expect(sent.map(({ events: _events, ...envelope }) => envelope)).toEqual([
      { ...ENVELOPE, batchId: "batch-1" },
      { ...ENVELOPE, batchId: "batch-2" },
      { ...ENVELOPE, batchId: "batch-3" },
    ]);
    expect((await queue.read()).pending).toEqual([]);
  });

  it("never queues an event recorded while upload is disabled, so re-enabling sends only newer events", async () => {
    const { uploader, sent, setUploadEnabled } = await uploaderWith({ uploadEnabled: false });
    await uploader.append(uptakeEvent(1));
    await uploader.append(uptakeEvent(2));
    await uploader.send();
    expect(sent).toEqual([]);

    await setUploadEnabled(true);
    await uploader.append(uptakeEvent(3));
    await uploader.send();

    expect(sent.flatMap((batch) => batch.events)).toEqual([uptakeEvent(3)]);
  });

  it("turning upload off drops everything pending and calls the upload-disabled hook", async () => {
    const { uploader, uploadState, queue, sent, setUploadEnabled } = await uploaderWith();
    const clearEnrollmentIds = vi.fn();
    uploadState.onUploadDisabled(clearEnrollmentIds);
    uploadState.watch();
    await uploader.append(uptakeEvent(1));
    expect((await queue.read()).pending).toHaveLength(1);

    await setUploadEnabled(false);

    expect((await queue.read()).pending).toEqual([]);
    expect(clearEnrollmentIds).toHaveBeenCalledTimes(1);
    await setUploadEnabled(true);
    await uploader.send();
    expect(sent).toEqual([]);
  });

  it("upload turned off while Firefox was closed: the start drops what an earlier session left and calls the hook", async () => {
    const storage = new MemoryStorage();
    const earlier = await uploaderWith({ uploadEnabled: true, storage });
    await earlier.uploader.append(uptakeEvent(1)); // a session that had upload on, killed before sending
    const { prefs, uploader, uploadState, queue, sent } = await uploaderWith({ uploadEnabled: false, storage });
    expect((await queue.read()).pending).toHaveLength(1);
    const clearEnrollmentIds = vi.fn();
    uploadState.onUploadDisabled(clearEnrollmentIds);

    uploadState.watch();
    await prefs.settled();
    await vi.waitFor(async () => expect((await queue.read()).pending).toEqual([]));

    expect(clearEnrollmentIds).toHaveBeenCalledTimes(1);
    await uploader.send();
    expect(sent).toEqual([]);
  });

  it("reads the pref right before sending: events queued before upload was turned off are not sent", async () => {
    const { prefs, uploader, sent } = await uploaderWith();
    await uploader.append(uptakeEvent(1));
    await prefs.setPref(UPLOAD_ENABLED_PREF, false, "user"); // nobody watching: only the send notices

    await uploader.send();

    expect(sent).toEqual([]);
  });

  it("retries with exponential backoff, honours Retry-After, and resends the same batch under the same id", async () => {
    const outcomes: IntakePostOutcome[] = [
      { kind: "retry", why: "HTTP 503", retryAfter: null },
      { kind: "retry", why: "HTTP 503", retryAfter: null },
      { kind: "retry", why: "HTTP 429", retryAfter: "7" },
      { kind: "accepted" },
      { kind: "accepted" },
    ];
    const { uploader, sent, plannedDelays, fireTimer, warnings } = await uploaderWith({
      post: async () => outcomes.shift()!,
    });
    await uploader.append(uptakeEvent(1));

    await fireTimer();
    expect(plannedDelays()).toEqual([2_000]);
    await uploader.append(uptakeEvent(2)); // arrives during the backoff, which it does not shorten
    expect(plannedDelays()).toEqual([2_000]);
    await uploader.send(); // too early: nothing is sent
    expect(sent).toHaveLength(1);

    await fireTimer();
    expect(plannedDelays()).toEqual([4_000]);
    await fireTimer();
    expect(plannedDelays()).toEqual([7_000]);
    await fireTimer();
    expect(plannedDelays()).toEqual([]);

    expect(sent.map((batch) => [batch.batchId, batch.events])).toEqual([
      ["batch-1", [uptakeEvent(1)]],
      ["batch-1", [uptakeEvent(1)]],
      ["batch-1", [uptakeEvent(1)]],
      ["batch-1", [uptakeEvent(1)]],
      ["batch-2", [uptakeEvent(2)]],
    ]);
    expect(warnings).toEqual([
      "Telemetry batch not sent (HTTP 503); retry 1 in 2000 ms",
      "Telemetry batch not sent (HTTP 503); retry 2 in 4000 ms",
      "Telemetry batch not sent (HTTP 429); retry 3 in 7000 ms",
    ]);
  });

  it("drops a batch the intake refuses, with a warning, and goes on with the next", async () => {
    const outcomes: IntakePostOutcome[] = [
      { kind: "refused", why: "HTTP 400 events[0][0]: bad" },
      { kind: "accepted" },
    ];
    const { uploader, sent, queue, warnings } = await uploaderWith({ post: async () => outcomes.shift()! });
    for (let n = 0; n < 501; n++) await uploader.append(uptakeEvent(n));

    await uploader.send();

    expect(sent.map((batch) => batch.events.length)).toEqual([500, 1]);
    expect(warnings).toEqual(["The intake refused a telemetry batch, which is dropped: HTTP 400 events[0][0]: bad"]);
    expect((await queue.read()).pending).toEqual([]);
  });

  it("sends nothing to an intake URL that is not http(s), and keeps the events", async () => {
    const { uploader, sent, queue, warnings } = await uploaderWith({ url: "file:///tmp/intake" });
    await uploader.append(uptakeEvent(1));

    await uploader.send();

    expect(sent).toEqual([]);
    expect((await queue.read()).pending).toHaveLength(1);
    expect(warnings).toEqual(['Telemetry not sent: the intake URL "file:///tmp/intake" is not an http(s) URL']);
  });
});

describe("TelemetryUploadState", () => {
  it("calls the upload-disabled hook on each switch from on to off, not on every read of off", async () => {
    const prefs = new FakePrefsApi();
    const warnings: string[] = [];
    const state = new TelemetryUploadState(prefs, new MemoryStorage(), (message) => warnings.push(message));
    const calls: string[] = [];
    state.onUploadDisabled(() => {
      calls.push("first");
      throw new Error("store unavailable");
    });
    const unsubscribe = state.onUploadDisabled(() => void calls.push("second"));

    expect(await state.isEnabled()).toBe(false); // no such pref: off, and never seen on: no switch
    expect(await state.isEnabled()).toBe(false);
    expect(calls).toEqual([]);
    await prefs.setPref(UPLOAD_ENABLED_PREF, true, "user");
    expect(await state.isEnabled()).toBe(true);
    await prefs.setPref(UPLOAD_ENABLED_PREF, false, "user");
    expect(await state.isEnabled()).toBe(false);
    expect(await state.isEnabled()).toBe(false);
    unsubscribe();
    await prefs.setPref(UPLOAD_ENABLED_PREF, true, "user");
    await state.isEnabled();
    await prefs.setPref(UPLOAD_ENABLED_PREF, false, "user");
    await state.isEnabled();

    expect(calls).toEqual(["first", "second", "first"]);
    expect(warnings).toEqual(Array(2).fill("A telemetry-upload-disabled listener failed: store unavailable"));
  });

  /** A start of the add-on over `storage` with upload `enabled`: how many times the hook was called. */
  async function startWith(storage: MemoryStorage, enabled: boolean): Promise<number> {
    const prefs = new FakePrefsApi();
    await prefs.setPref(UPLOAD_ENABLED_PREF, enabled, "user");
    const state = new TelemetryUploadState(prefs, storage, () => undefined);
    let calls = 0;
    state.onUploadDisabled(() => void (calls += 1));
    await Promise.all([state.isEnabled(), state.isEnabled()]);
    return calls;
  }

  it("remembers the state across starts: a start with upload still off is no switch, one after it was turned off while closed is", async () => {
    const storage = new MemoryStorage();
    expect(await startWith(storage, false)).toBe(0); // first start, off
    expect(await startWith(storage, false)).toBe(0); // still off: enrollments made meanwhile keep their ids
    expect(await startWith(storage, true)).toBe(0);
    expect(await startWith(storage, false)).toBe(1); // turned off while Firefox was closed: one switch
    expect(await startWith(storage, false)).toBe(0);
  });
});

describe("the intake envelope", () => {
  it("keeps one client id in its own pref, and makes one session id per add-on start", async () => {
    const prefs = new FakePrefsApi();
    let made = 0;
    const newId = () => `id-${++made}`;
    const addon = { addonVersion: "0.1.0", locale: "en-US" };

    const firstStart = intakeEnvelopeSource(intakeClientId(prefs, newId), addon, newId);
    expect(await firstStart()).toEqual({ clientId: "id-2", sessionId: "id-1", ...addon });
    expect(await firstStart()).toEqual({ clientId: "id-2", sessionId: "id-1", ...addon });
    expect(await prefs.getPref(INTAKE_CLIENT_ID_PREF, "user")).toBe("id-2");

    const secondStart = intakeEnvelopeSource(intakeClientId(prefs, newId), addon, newId);
    expect(await secondStart()).toEqual({ clientId: "id-2", sessionId: "id-3", ...addon });
  });
});

describe("enrollment events to the intake", () => {
  const servers = useTestServers();

  it("an event the recorder records reaches the local server's intake as it was logged", async () => {
    const server = await servers.start();
    const { uploader } = await uploaderWith({
      post: (url, batch) => postIntakeBatch(url, batch),
      url: server.config.intakeUrl,
    });
    const eventLog = new EventLogStore(new MemoryStorage());
    const recorder = new EnrollmentTelemetryRecorder(new FakeTelemetryApi(), allOf(eventLog, uploader), (matches) =>
      eventLog.newest(matches),
    );

    await recorder.recordEvent("enroll", "preference_study", "my-study", {
      branch: "treatment",
      experimentType: "exp",
      enrollmentId: "e-1",
    });
    await uploader.send();

    const [received] = server.intake.events(ENVELOPE.clientId);
    expect(received).toMatchObject({
      category: "normandy",
      method: "enroll",
      object: "preference_study",
      value: "my-study",
      extra: { branch: "treatment", experimentType: "exp", enrollmentId: "e-1" },
    });
    expect([
      [received!.timestamp, received!.category, received!.method, received!.object, received!.value, received!.extra],
    ]).toEqual((await eventLog.read()).events);
  });
});

describe("retryDelayMs", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  it.each([
    [1, null, 2_000],
    [2, null, 4_000],
    [5, null, 32_000],
    [20, null, 30 * 60_000],
    [1, "120", 120_000],
    [3, "0", 0],
    [1, "Sun, 01 Mar 2026 12:00:30 GMT", 30_000],
    [1, "Sun, 01 Mar 2026 11:00:00 GMT", 0],
    [1, "999999999", 24 * 60 * 60_000],
    [2, "soon", 4_000],
  ] as const)("retry %i with Retry-After %j waits %i ms", (attempt, retryAfter, expected) => {
    expect(retryDelayMs(attempt, retryAfter, DEFAULT_RETRY_POLICY, now)).toBe(expected);
  });
});

describe("postIntakeBatch", () => {
  const servers = useTestServers();
  const stubs: Server[] = [];
  afterEach(() => {
    for (const stub of stubs.splice(0)) stub.close();
  });

  const batch: IntakeBatch = { ...ENVELOPE, batchId: "b-1", events: [uptakeEvent(7)] };

  /** A server that answers every request with `respond` and records what it received. */
  async function stub(respond: (request: IncomingMessage, response: ServerResponse) => void) {
    const received: { method: string; headers: IncomingMessage["headers"]; body: string }[] = [];
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        received.push({ method: request.method ?? "", headers: request.headers, body });
        respond(request, response);
      });
    });
    stubs.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/intake/v1/batches`, received };
  }

  it("the local server's intake accepts a batch and stores exactly its events under the client id", async () => {
    const server = await servers.start();

    expect(await postIntakeBatch(server.config.intakeUrl, batch)).toEqual({ kind: "accepted" });

    expect(
      server.intake
        .events(ENVELOPE.clientId)
        .map(({ sessionId, timestamp, category, method, object, value, extra }) => [
          sessionId,
          [timestamp, category, method, object, value, extra],
        ]),
    ).toEqual([[ENVELOPE.sessionId, uptakeEvent(7)]]);
  });

  it("POSTs JSON without credentials", async () => {
    const intake = await stub((_request, response) => response.writeHead(201).end());

    expect(await postIntakeBatch(intake.url, batch)).toEqual({ kind: "accepted" });

    expect(intake.received).toHaveLength(1);
    const [request] = intake.received;
    expect(request!.method).toBe("POST");
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers.cookie).toBeUndefined();
    expect(request!.headers.authorization).toBeUndefined();
    expect(JSON.parse(request!.body)).toEqual(batch);
  });

  it("maps 5xx and 429 to a retry with the server's Retry-After, another 4xx to a refusal", async () => {
    const unavailable = await stub((_request, response) => response.writeHead(503, { "Retry-After": "3" }).end("down"));
    const throttled = await stub((_request, response) => response.writeHead(429).end());
    const invalid = await stub((_request, response) => response.writeHead(400).end('{"field":"events"}'));

    expect(await postIntakeBatch(unavailable.url, batch)).toEqual({
      kind: "retry",
      why: `${unavailable.url}: HTTP 503 down`,
      retryAfter: "3",
    });
    expect(await postIntakeBatch(throttled.url, batch)).toMatchObject({ kind: "retry", retryAfter: null });
    expect(await postIntakeBatch(invalid.url, batch)).toEqual({
      kind: "refused",
      why: `${invalid.url}: HTTP 400 {"field":"events"}`,
    });
  });

  it("retries when the intake cannot be reached", async () => {
    const server = await servers.start();
    const url = server.config.intakeUrl;
    await server.close();

    expect(await postIntakeBatch(url, batch)).toMatchObject({ kind: "retry", retryAfter: null });
  });

  it("contacts only the configured origin: a redirect elsewhere is not followed", async () => {
    const elsewhere = await stub((_request, response) => response.writeHead(201).end());
    const redirecting = await stub((_request, response) => response.writeHead(307, { Location: elsewhere.url }).end());

    expect(await postIntakeBatch(redirecting.url, batch)).toMatchObject({ kind: "retry" });

    expect(redirecting.received).toHaveLength(1);
    expect(elsewhere.received).toEqual([]);
  });
});
