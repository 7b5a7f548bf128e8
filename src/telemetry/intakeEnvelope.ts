import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import { PREF_BRANCH } from "../config/ClientConfig.js";
import { UuidPref } from "../config/UuidPref.js";
import type { IntakeEnvelope } from "../core/intakeBatch.js";

/** The intake's client id: a v4 UUID of its own, unrelated to the randomization id (`user_id`). */
export const INTAKE_CLIENT_ID_PREF = `${PREF_BRANCH}client_id`;

/**
 * The envelope of every batch sent in this add-on start: a new session id now, the client id from its pref
 * (made on first use), and the add-on's version and locale.
 */
export function intakeEnvelopeSource(
  prefs: PrefsApi,
  addon: { addonVersion: string; locale: string },
  newId: () => string = () => crypto.randomUUID(),
): () => Promise<IntakeEnvelope> {
  const clientId = new UuidPref(prefs, INTAKE_CLIENT_ID_PREF, newId);
  const sessionId = newId();
  return async () => ({ clientId: await clientId.get(), sessionId, ...addon });
}
