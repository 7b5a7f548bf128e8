/** Embedded defaults of the local recipe server and the public URLs derived from where it listens. */

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8888;
export const DEFAULT_DATA_DIR = "./server-data";
/** What `/api/v1/classify_client/` reports when nothing else is configured. */
export const DEFAULT_COUNTRY = "US";

/** Where and how the server runs. */
export interface ServerSettings {
  host: string;
  /** `0` asks the OS for an ephemeral port. */
  port: number;
  dataDir: string;
  country: string;
}

/** The absolute URLs clients use to reach a running server. */
export interface PublicUrls {
  /** `http://<host>:<port>`, no trailing slash. */
  serverUrl: string;
  /** Remote Settings API base, `<serverUrl>/v1`. */
  remoteSettingsUrl: string;
  /** Legacy Normandy API base, `<serverUrl>/api/v1/` (Normandy enforces the trailing slash). */
  legacyApiUrl: string;
  /** Server-sent change notices: clients run as soon as something is published. */
  noticesUrl: string;
  /** Where clients POST their telemetry batches. */
  intakeUrl: string;
}

/** Environment variables the CLI reads; everything else uses the embedded defaults. */
export interface ServerEnvironment {
  RECIPE_SERVER_PORT?: string;
  RECIPE_SERVER_DATA?: string;
  RECIPE_SERVER_COUNTRY?: string;
}

export function settingsFromEnvironment(env: ServerEnvironment): ServerSettings {
  return {
    host: DEFAULT_HOST,
    port: env.RECIPE_SERVER_PORT === undefined ? DEFAULT_PORT : parsePort(env.RECIPE_SERVER_PORT),
    dataDir: env.RECIPE_SERVER_DATA || DEFAULT_DATA_DIR,
    country: env.RECIPE_SERVER_COUNTRY || DEFAULT_COUNTRY,
  };
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) {
    throw new Error(`RECIPE_SERVER_PORT must be an integer between 0 and 65535, got "${text}"`);
  }
  return port;
}

export function publicUrls(host: string, port: number): PublicUrls {
  const serverUrl = `http://${host}:${port}`;
  return {
    serverUrl,
    remoteSettingsUrl: `${serverUrl}/v1`,
    legacyApiUrl: `${serverUrl}/api/v1/`,
    noticesUrl: `${serverUrl}/notices`,
    intakeUrl: `${serverUrl}/intake/v1/batches`,
  };
}
