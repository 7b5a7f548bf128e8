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
