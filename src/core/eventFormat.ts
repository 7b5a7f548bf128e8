/**
 * One telemetry event in the event format: `[timestamp, category, method, object, value, extra]`, with the
 * timestamp in whole ms since Firefox's process start and every extra value a string. The local event log
 * keeps events in this shape and the intake receives them in it.
 */
export type EventRecord = [
  timestamp: number,
  category: string,
  method: string,
  object: string,
  value: string | null,
  extra: Record<string, string> | null,
];
