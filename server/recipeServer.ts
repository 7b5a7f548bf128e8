import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AppContext } from "./appContext.js";
import { DEFAULT_COUNTRY, DEFAULT_HOST, DEFAULT_PORT, publicUrls } from "./config.js";
import type { OpenDatabase } from "./database.js";
import { ChangeNotices } from "./changeNotices.js";
import { ExtensionStore } from "./extensionStore.js";
import { FaultInjector } from "./faults.js";
import { IntakeStore } from "./intakeStore.js";
import { createRequestListener, type Routing } from "./httpServer.js";
import { loadOrCreatePki } from "./pki.js";
import { PreviewCollection } from "./previewCollection.js";
import { publicConfig, type PublicConfig } from "./publicConfig.js";
import type { PublishedSnapshot } from "./publishedSnapshot.js";
import { Publisher } from "./publisher.js";
import { type Clock, RecipeStore } from "./recipeStore.js";
import { adminApiRoutes } from "./routes/adminApiRoutes.js";
import { extensionRoutes } from "./routes/extensionRoutes.js";
import { intakeRoutes } from "./routes/intakeRoutes.js";
import { legacyApiRoutes } from "./routes/legacyApiRoutes.js";
import { remoteSettingsRoutes } from "./routes/remoteSettingsRoutes.js";
import { siteRoutes } from "./routes/siteRoutes.js";
import { SnapshotStore } from "./snapshotStore.js";
import { SqliteFileDatabase } from "./sqliteFileDatabase.js";

export interface RecipeServerOptions {
  dataDir: string;
  /** Default 8888; `0` picks an ephemeral port (tests). */
  port?: number;
  host?: string;
  /** What `/api/v1/classify_client/` reports. */
  country?: string;
  now?: Clock;
  /** The storage; SQLite in `<dataDir>/recipes.sqlite` unless a test or bench compares another. */
  openDatabase?: OpenDatabase;
}

export interface RunningRecipeServer {
  /** `http://host:port` */
  url: string;
  port: number;
  config: PublicConfig;
  store: RecipeStore;
  /** True when this start created the data folder's database (nothing was stored before). */
  firstStart: boolean;
  /** Fault mode: make the recipes changeset or an XPI download misbehave (see faults.ts). */
  faults: FaultInjector;
  /** Uploaded add-on packages, e.g. `extensions.add(xpiBytes)` (what `POST /admin/api/extensions` does). */
  extensions: ExtensionStore;
  /** The telemetry clients sent, e.g. `intake.events(clientId)` (newest first). */
  intake: IntakeStore;
  /** How many clients follow the change notices now (each connection got the current timestamp first). */
  noticeClients(): number;
  /** Signs the enabled recipes and makes them what clients are served. */
  publish(): Promise<PublishedSnapshot>;
  /** Stops listening, waits for a running publish or preview, and closes the database (already on disk). */
  close(): Promise<void>;
}

/**
 * Starts the local recipe server in this process. The data folder keeps the recipes, the publish
 * history and the signing PKI across restarts.
 */
export async function startRecipeServer(options: RecipeServerOptions): Promise<RunningRecipeServer> {
  const now = options.now ?? (() => new Date());
  const host = options.host ?? DEFAULT_HOST;
  const database = await (options.openDatabase ?? SqliteFileDatabase.open)(options.dataDir);
  let server: Server | undefined;
  let announceRouting: (routing: Routing) => void = () => undefined;
  let failRouting: (error: unknown) => void = () => undefined;
  const routing = new Promise<Routing>((resolve, reject) => {
    announceRouting = resolve;
    failRouting = reject;
  });
  routing.catch(() => undefined); // a failed start is reported by startRecipeServer itself

  try {
    const pki = await loadOrCreatePki(options.dataDir, { now: now() });
    const store = new RecipeStore(database, now);
    const snapshots = new SnapshotStore(database);
    // Requests that arrive while the server is still preparing wait for `routing`.
    server = createServer(createRequestListener(routing));
    const port = await listen(server, options.port ?? DEFAULT_PORT, host);
    const urls = publicUrls(host, port);
    const publisher = new Publisher(store, snapshots, pki, urls.serverUrl, now);
    await publisher.prepare();
    const previews = new PreviewCollection(pki, urls.serverUrl, now);
    await previews.prepare();

    const faults = new FaultInjector();
    const intake = new IntakeStore(database, now);
    const extensions = new ExtensionStore(database, options.dataDir, now);
    const app: AppContext = {
      urls,
      store,
      publisher,
      previews,
      snapshots,
      pki,
      country: options.country ?? DEFAULT_COUNTRY,
      now,
      faults,
      intake,
      extensions,
    };
    const routes = [
      ...siteRoutes(app),
      ...remoteSettingsRoutes(app),
      ...legacyApiRoutes(app),
      ...adminApiRoutes(app),
      ...extensionRoutes(app),
      ...intakeRoutes(app),
    ];
    const notices = new ChangeNotices();
    publisher.onPublished((snapshot) => notices.published(snapshot.timestamp));
    const eventStreams = [
      {
        path: new URL(urls.noticesUrl).pathname,
        open: (response: ServerResponse) => notices.subscribe(response, publisher.current().timestamp),
      },
    ];
    announceRouting({ routes, serverOrigin: urls.serverUrl, eventStreams });

    const listening = server;
    let closing: Promise<void> | undefined;
    return {
      url: urls.serverUrl,
      port,
      config: publicConfig(urls, pki),
      store,
      firstStart: database.isNew,
      faults,
      intake,
      extensions,
      noticeClients: () => notices.connectedClients,
      publish: () => publisher.publish(),
      close: () =>
        (closing ??= (async () => {
          notices.close();
          await stopListening(listening);
          await Promise.all([publisher.whenIdle(), previews.whenIdle()]);
          database.close();
        })()),
    };
  } catch (error) {
    failRouting(error);
    if (server?.listening) await stopListening(server);
    database.close();
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stopListening(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
