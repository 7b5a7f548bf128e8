/** Runs local recipe servers in-process for tests: ephemeral ports, temporary data folders, cleanup. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { startRecipeServer, type RecipeServerOptions, type RunningRecipeServer } from "../../server/recipeServer.js";
import type { EventRecord } from "../../src/core/eventFormat.js";
import type { IntakeBatch } from "../../src/core/intakeBatch.js";

export interface JsonReply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Registers an afterEach that closes every server started and deletes every data folder made. */
export function useTestServers(): {
  newDataDir(): Promise<string>;
  start(options?: Partial<RecipeServerOptions>): Promise<RunningRecipeServer>;
} {
  const servers: RunningRecipeServer[] = [];
  const dataDirs: string[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function newDataDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "recipe-server-test-"));
    dataDirs.push(dir);
    return dir;
  }

  return {
    newDataDir,
    async start(options = {}) {
      const server = await startRecipeServer({ port: 0, ...options, dataDir: options.dataDir ?? (await newDataDir()) });
      servers.push(server);
      return server;
    },
  };
}

/** fetch + JSON parse; a body-less reply (204) gives `undefined`. */
export async function fetchJson<T = unknown>(url: string, init?: RequestInit): Promise<JsonReply<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text === "" ? undefined : JSON.parse(text)) as T,
  };
}

export function postJson<T = unknown>(url: string, body: unknown, method = "POST"): Promise<JsonReply<T>> {
  return fetchJson<T>(url, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

export const CONSOLE_LOG_RECIPE = {
  name: "Say hello",
  action: "console-log",
  arguments: { message: "hello" },
  filter_expression: "true",
} as const;

/** An intake batch carrying `events`, from one session of client `clientId`, as the add-on's uploader sends it. */
export function intakeBatch(clientId: string, events: EventRecord[]): IntakeBatch {
  return {
    batchId: "b-1",
    clientId,
    sessionId: "0d8e5c7b-3a2f-4e61-8b9d-7c6a5e4f3b2a",
    addonVersion: "0.1.0",
    locale: "en-US",
    events,
  };
}

/**
 * What the add-on reports when QA runs a preference study here from its console (recipe 3, branch "treatment"):
 * the `qa/FORCED_ENROLLMENT` ping, then the study's enroll event; with `undoneAt`, QA's undo as well: the
 * `qa/FORCED_UNDO` ping, then the study's unenroll event with reason "qa-undo".
 */
export function forcedStudyEvents(
  at: number,
  slug: string,
  enrollmentId: string,
  mode: "AS_IS" | "FILTER_BYPASSED" | "BRANCH_CHOSEN",
  undoneAt?: number,
): EventRecord[] {
  const fields = { recipe_id: "3", experiment: slug, branch: "treatment", enrollment_id: enrollmentId };
  const forced: EventRecord[] = [
    [at, "recipe_client.qa", "qa", "FORCED_ENROLLMENT", mode, fields],
    [at, "normandy", "enroll", "preference_study", slug, { branch: "treatment", experimentType: "exp", enrollmentId }],
  ];
  if (undoneAt === undefined) return forced;
  return [
    ...forced,
    [undoneAt, "recipe_client.qa", "qa", "FORCED_UNDO", "n/a", fields],
    [undoneAt, "normandy", "unenroll", "preference_study", slug, { reason: "qa-undo", enrollmentId }],
  ];
}
