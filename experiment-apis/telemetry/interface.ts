/**
 * The `browser.experiments.telemetry` namespace: records uptake statuses (and, later, enrollment events)
 * into Firefox's Glean. Declared once here; implemented by the parent script (`api.ts`) and by the
 * in-memory fake in `test/fakes/`. `schema.json` must agree (checked by `test/unit/schemas.test.ts`).
 */
import type { ParameterNames } from "../schemaContract.js";

/** Uptake values, as Normandy's `Uptake` module maps them (reference §5). */
export const UPTAKE_STATUSES = [
  "success",
  "backoff",
  "apply_error",
  "content_error",
  "download_error",
  "sign_error",
  "custom_1_error",
  "custom_2_error",
  "network_error",
  "server_error",
] as const;
export type UptakeStatus = (typeof UPTAKE_STATUSES)[number];

export interface TelemetryApi {
  /**
   * Records `status` for `source` (`normandy/runner`, `normandy/recipe/<id>` or
   * `normandy/action/<ActionName>`) to the add-on's Glean uptake event. Resolves to the time of
   * recording in ms since Firefox's process start (the event-format timestamp).
   */
  reportUptake(source: string, status: UptakeStatus): Promise<number>;
  /** Milliseconds since Firefox's process start, the clock of the event format. */
  msSinceProcessStart(): Promise<number>;
}

/** Parameter names of each function, in schema order (see `../schemaContract.ts`). */
export const TELEMETRY_API_PARAMETERS = {
  reportUptake: ["source", "status"],
  msSinceProcessStart: [],
} as const satisfies ParameterNames<TelemetryApi>;
