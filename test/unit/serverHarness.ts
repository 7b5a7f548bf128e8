/** Runs local recipe servers in-process for tests: ephemeral ports, temporary data folders, cleanup. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { startRecipeServer, type RecipeServerOptions, type RunningRecipeServer } from "../../server/recipeServer.js";

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
