import type { PublicUrls } from "./config.js";
import type { ExtensionStore } from "./extensionStore.js";
import type { FaultInjector } from "./faults.js";
import type { IntakeStore } from "./intakeStore.js";
import type { SigningPki } from "./pki.js";
import type { PreviewCollection } from "./previewCollection.js";
import type { Publisher } from "./publisher.js";
import type { Clock, RecipeStore } from "./recipeStore.js";
import type { SnapshotStore } from "./snapshotStore.js";

/** Everything the route modules work with, built once the server knows the URL it listens on. */
export interface AppContext {
  urls: PublicUrls;
  store: RecipeStore;
  publisher: Publisher;
  /** Drafts signed on request into their own collection; never published, never announced to clients. */
  previews: PreviewCollection;
  /** Read-only use: the publish history. Only the publisher writes snapshots. */
  snapshots: SnapshotStore;
  pki: SigningPki;
  /** What `/api/v1/classify_client/` reports. */
  country: string;
  now: Clock;
  /** Fault mode for the recipes changeset and the XPI downloads. */
  faults: FaultInjector;
  /** Telemetry batches received from clients. */
  intake: IntakeStore;
  /** Uploaded add-on packages (XPIs). */
  extensions: ExtensionStore;
}
