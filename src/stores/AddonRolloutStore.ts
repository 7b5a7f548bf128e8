import { isPendingChange, type PendingAddonChange } from "../addons/PendingAddonChange.js";
import type { KeyValueStorage } from "./KeyValueStorage.js";
import { SlugRecordStore } from "./SlugRecordStore.js";

/** The package a rollout installed. */
export interface RolloutAddonFields {
  addonVersion: string;
  xpiUrl: string;
  xpiHash: string;
  xpiHashAlgorithm: string;
  /** The server's number for the package. */
  extensionApiId: number;
}

/** An add-on rollout (Normandy's AddonRollouts record, reference §7), keyed by slug. */
export interface AddonRollout extends RolloutAddonFields {
  recipeId: number;
  slug: string;
  /** "rolled-back" once an `addon-rollback` undid it; a rolled-back slug is never applied again. */
  state: "active" | "rolled-back";
  addonId: string;
  /** A UUID sent with the rollout's telemetry; the marker once telemetry upload was turned off. */
  enrollmentId: string;
  /** An add-on change started but not known to be finished; see PendingAddonChange. Null almost always. */
  pendingChange: PendingAddonChange<RolloutAddonFields> | null;
}

/** The durable record of every add-on rollout, stored as `{rollouts: {[slug]: rollout}}`. Read API: `get`, `getAll`, `getAllActive`. */
export class AddonRolloutStore extends SlugRecordStore<AddonRollout> {
  constructor(storage: KeyValueStorage) {
    super(storage, { key: "addonRollouts", field: "rollouts", noun: "add-on rollout" }, isAddonRollout);
  }

  async getAllActive(): Promise<AddonRollout[]> {
    return (await this.getAll()).filter((rollout) => rollout.state === "active");
  }
}

/** What the rules rely on: the state, the add-on, and any add-on change in progress. */
function isAddonRollout(value: { [field: string]: unknown }): boolean {
  return (
    (value.state === "active" || value.state === "rolled-back") &&
    typeof value.recipeId === "number" &&
    typeof value.addonId === "string" &&
    isPendingChange(value.pendingChange)
  );
}
