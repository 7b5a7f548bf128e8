import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import { PREF_BRANCH } from "../config/ClientConfig.js";
import { UuidPref } from "../config/UuidPref.js";
import type { IntakeEnvelope } from "../core/index.js";

/** The intake's client id: a v4 UUID of its own, unrelated to the randomization id (`user_id`). */
export const INTAKE_CLIENT_ID_PREF = `${PREF_BRANCH}client_id`;

/** The intake's client id, made on first use; one instance per add-on start, shared by all who read it. */
export function intakeClientId(prefs: PrefsApi, newId: () => string = () => crypto.randomUUID()): UuidPref {
  return new UuidPref(prefs, INTAKE_CLIENT_ID_PREF, newId);
}

/**
 * The envelope of every batch sent in this add-on start: a new session id now, the client id, and the
 * add-on's version and locale.
 */
export function intakeEnvelopeSource(
  clientId: UuidPref,
  addon: { addonVersion: string; locale: string },
  newId: () => string = () => crypto.randomUUID(),
): () => Promise<IntakeEnvelope> {
  const sessionId = newId();
  return async () => ({ clientId: await clientId.get(), sessionId, ...addon });
}
