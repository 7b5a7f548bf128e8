import { describe, expect, it } from "vitest";
import { PreferenceExperimentStore } from "../../src/stores/PreferenceExperimentStore.js";
import { NO_ENROLLMENT_ID_MARKER } from "../../src/telemetry/EnrollmentTelemetry.js";
import { MemoryStorage } from "../fakes/MemoryStorage.js";
import { preferenceExperimentRecord } from "./preferenceExperimentRecord.js";

describe("PreferenceExperimentStore", () => {
  it("keeps records across instances (durable storage), active and expired apart", async () => {
    const storage = new MemoryStorage();
    const store = new PreferenceExperimentStore(storage);
    await store.add(preferenceExperimentRecord("a"));
    await store.add(preferenceExperimentRecord("b", { expired: true }));

    const reopened = new PreferenceExperimentStore(storage);
    expect((await reopened.getAll()).map(({ slug }) => slug)).toEqual(["a", "b"]);
    expect((await reopened.getAllActive()).map(({ slug }) => slug)).toEqual(["a"]);
    expect(await reopened.get("b")).toEqual(preferenceExperimentRecord("b", { expired: true }));
  });

  it("refuses a second record for a slug, and an update of a missing one", async () => {
    const store = new PreferenceExperimentStore(new MemoryStorage());
    await store.add(preferenceExperimentRecord("a"));
    await expect(store.add(preferenceExperimentRecord("a"))).rejects.toThrow(/already exists/);
    await expect(store.update("nope", () => undefined)).rejects.toThrow(/no preference experiment/);
  });

  it("concurrent updates of one record do not lose each other's changes", async () => {
    const store = new PreferenceExperimentStore(new MemoryStorage());
    await store.add(preferenceExperimentRecord("a"));
    await Promise.all([
      store.update("a", (stored) => {
        stored.preferences["a.pref"]!.overridden = true;
      }),
      store.update("a", (stored) => {
        stored.temporaryErrorDeadline = "2026-03-08T12:00:00.000Z";
      }),
      store.update("a", (stored) => {
        stored.lastSeen = "2026-03-02T12:00:00.000Z";
      }),
    ]);
    expect(await store.get("a")).toMatchObject({
      preferences: { "a.pref": { overridden: true } },
      temporaryErrorDeadline: "2026-03-08T12:00:00.000Z",
      lastSeen: "2026-03-02T12:00:00.000Z",
    });
  });

  it("replaceEnrollmentIds puts the marker on every record, active or not (telemetry upload turned off)", async () => {
    const store = new PreferenceExperimentStore(new MemoryStorage());
    await store.add(preferenceExperimentRecord("a"));
    await store.add(preferenceExperimentRecord("b", { expired: true }));
    await store.replaceEnrollmentIds(NO_ENROLLMENT_ID_MARKER);
    expect((await store.getAll()).map(({ enrollmentId }) => enrollmentId)).toEqual([
      NO_ENROLLMENT_ID_MARKER,
      NO_ENROLLMENT_ID_MARKER,
    ]);
  });

  it("remove forgets a record", async () => {
    const store = new PreferenceExperimentStore(new MemoryStorage());
    await store.add(preferenceExperimentRecord("a"));
    await store.remove("a");
    expect(await store.getAll()).toEqual([]);
  });
});
