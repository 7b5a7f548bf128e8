import { describe, expect, it, vi } from "vitest";
import { answerStudyAddon, notifyUnenroll, type StudyAddonPort } from "../../src/studies/studyAddonMessages.js";

function port() {
  const ended: [string, string][] = [];
  const studies: StudyAddonPort = {
    studyForAddon: async (addonId) => (addonId === "study@example.test" ? ({ slug: "the-study" } as never) : null),
    endStudyOfAddon: async (addonId, reason) => {
      ended.push([addonId, reason]);
    },
  };
  return { studies, ended };
}

describe("messages from study add-ons", () => {
  it("getStudy answers with the sender's own study, null for an add-on without one", async () => {
    const { studies } = port();
    expect(await answerStudyAddon(studies, "study@example.test", { type: "getStudy" })).toEqual({ slug: "the-study" });
    expect(await answerStudyAddon(studies, "other@example.test", { type: "getStudy" })).toBeNull();
  });

  it("endStudy ends the sender's study with its reason", async () => {
    const { studies, ended } = port();
    await answerStudyAddon(studies, "study@example.test", { type: "endStudy", reason: "study-complete" });
    expect(ended).toEqual([["study@example.test", "study-complete"]]);
  });

  it("refuses a message without a sender, an unknown type, and an endStudy without a usable reason", async () => {
    const { studies, ended } = port();
    await expect(answerStudyAddon(studies, undefined, { type: "getStudy" })).rejects.toThrow(/from an add-on/);
    await expect(answerStudyAddon(studies, "a@example.test", { type: "uninstallEverything" })).rejects.toThrow(
      /Unknown request/,
    );
    await expect(answerStudyAddon(studies, "a@example.test", "getStudy")).rejects.toThrow(/Unknown request/);
    for (const reason of [undefined, "", 42, "x".repeat(81)]) {
      await expect(answerStudyAddon(studies, "a@example.test", { type: "endStudy", reason })).rejects.toThrow(
        /needs a reason/,
      );
    }
    expect(ended).toEqual([]);
  });
});

describe("the unenroll notice to a study add-on", () => {
  it("sends {type: unenroll, reason} and waits for the answer", async () => {
    const sent: unknown[] = [];
    const outcome = await notifyUnenroll(
      async (addonId, notice) => sent.push([addonId, notice]),
      "study@example.test",
      "recipe-not-seen",
    );
    expect(outcome).toBe("answered");
    expect(sent).toEqual([["study@example.test", { type: "unenroll", reason: "recipe-not-seen" }]]);
  });

  it("does not wait longer than the time limit, nor for an add-on that does not listen", async () => {
    vi.useFakeTimers();
    try {
      const waiting = notifyUnenroll(() => new Promise(() => undefined), "slow@example.test", "filter-mismatch", 5_000);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await waiting).toBe("timed-out");
    } finally {
      vi.useRealTimers();
    }
    const deaf = await notifyUnenroll(
      () => Promise.reject(new Error("Could not establish connection. Receiving end does not exist.")),
      "deaf@example.test",
      "x",
    );
    expect(deaf).toBe("failed");
  });
});
