/** Extras a refusal adds to its `…Failed` event besides `reason`. */
export interface RefusalExtra {
  /** E.g. the AddonManager error, "ERROR_INCORRECT_HASH". */
  detail?: string;
  /** A rollout `conflict`: the add-on, and the rollout that already owns it. */
  addonId?: string;
  conflictingSlug?: string;
  /** A rollout `conflict`: the enrollment id of the rollout that owns the add-on (Firefox's AddonRolloutAction). */
  enrollmentId?: string;
}

/**
 * An add-on could not be installed or updated for one of Normandy's reasons (`download-failure`,
 * `metadata-mismatch`, `conflicting-addon-id`, `no-downgrade`, `conflict`, …). It becomes the `reason` (and
 * the other extras) of the `enrollFailed` / `updateFailed` event.
 */
export class AddonChangeRefused extends Error {
  constructor(
    readonly reason: string,
    message: string,
    private readonly refusalExtra: RefusalExtra = {},
  ) {
    super(refusalExtra.detail === undefined ? message : `${message} (${refusalExtra.detail})`);
    this.name = "AddonChangeRefused";
  }

  /** The event extras. */
  extra(): { reason: string } & RefusalExtra {
    return { reason: this.reason, ...this.refusalExtra };
  }
}

/** Legacy Telemetry's limit on an extra value, which Normandy applies to this reason. */
const REASON_MAX_LENGTH = 80;

/**
 * The failure extras for any error: Normandy's own reason for a refusal; for anything unexpected, where the
 * error happened and its name, never its message (which could carry personal data), as Normandy reports
 * it: "<file>:<line>:<column> <ErrorName>", cut to 80 characters. Only the file's name is kept: an
 * extension URL carries the profile's random extension UUID.
 */
export function failureExtra(error: unknown): { reason: string } & RefusalExtra {
  if (error instanceof AddonChangeRefused) return error.extra();
  const {
    name = "Error",
    fileName,
    lineNumber,
    columnNumber,
  } = (error ?? {}) as {
    name?: string;
    fileName?: string;
    lineNumber?: number;
    columnNumber?: number;
  };
  const where = fileName === undefined ? "" : `${fileName.split("/").pop()}:${lineNumber}:${columnNumber} `;
  return { reason: `${where}${name}`.slice(0, REASON_MAX_LENGTH) };
}
