/**
 * How study add-ons and the recipe client talk (the part of Firefox's `browser.normandyAddonStudy` a
 * WebExtension can have, over extension messaging). A study add-on sends, with
 * `browser.runtime.sendMessage("<recipe client id>", message)`:
 *   {type: "getStudy"}            → its study (the record, see AddonStudy), or null
 *   {type: "endStudy", reason}    → ends its study with `reason` and uninstalls it (the answer never
 *                                    arrives: the add-on is gone by then)
 * and, before it is uninstalled because its study ends for any reason, receives on
 * `runtime.onMessageExternal` the notice {type: "unenroll", reason}; the recipe client waits for its
 * answer (a returned promise may do cleanup) for at most UNENROLL_NOTICE_TIMEOUT_MS.
 */
import type { AddonStudy } from "../stores/AddonStudyStore.js";

export type StudyAddonRequest = { type: "getStudy" } | { type: "endStudy"; reason: string };

export interface UnenrollNotice {
  type: "unenroll";
  reason: string;
}

/** Long enough for a study add-on to save or send something; short enough not to hold up a run. */
export const UNENROLL_NOTICE_TIMEOUT_MS = 5_000;

/** Legacy Telemetry's limit on an extra value; the reason becomes the unenroll event's `reason`. */
const END_REASON_MAX_LENGTH = 80;

/** What a study add-on sees of its study. */
export type StudyForAddon = Omit<AddonStudy, "pendingChange">;

/** What answering study add-ons needs from the add-on studies. */
export interface StudyAddonPort {
  studyForAddon(addonId: string): Promise<StudyForAddon | null>;
  endStudyOfAddon(addonId: string, reason: string): Promise<void>;
}

/**
 * Answers one message from another add-on. The sender is Firefox's word for who sent it, so an add-on can
 * only read or end its own study. A malformed request is an error the sender sees.
 */
export async function answerStudyAddon(
  studies: StudyAddonPort,
  senderId: string | undefined,
  message: unknown,
): Promise<unknown> {
  if (senderId === undefined) throw new Error("Messages from study add-ons must come from an add-on");
  const request = message as Partial<StudyAddonRequest> | null;
  switch (request?.type) {
    case "getStudy":
      return studies.studyForAddon(senderId);
    case "endStudy": {
      const { reason } = request as { reason?: unknown };
      if (typeof reason !== "string" || reason === "" || reason.length > END_REASON_MAX_LENGTH) {
        throw new Error(`endStudy needs a reason: a string of 1 to ${END_REASON_MAX_LENGTH} characters`);
      }
      return studies.endStudyOfAddon(senderId, reason);
    }
    default:
      throw new Error(`Unknown request ${JSON.stringify(request?.type)}; study add-ons may send getStudy or endStudy`);
  }
}

/**
 * Sends the unenroll notice and waits for the add-on's answer, at most `timeoutMs`. An add-on that does not
 * listen, fails or takes too long is not waited for: its study ends all the same.
 */
export async function notifyUnenroll(
  send: (addonId: string, notice: UnenrollNotice) => Promise<unknown>,
  addonId: string,
  reason: string,
  timeoutMs = UNENROLL_NOTICE_TIMEOUT_MS,
): Promise<"answered" | "failed" | "timed-out"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timed-out">((resolve) => {
    timer = setTimeout(() => resolve("timed-out"), timeoutMs);
  });
  const answer = send(addonId, { type: "unenroll", reason }).then(
    () => "answered" as const,
    () => "failed" as const,
  );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
