/**
 * Entry of a recipe server run in a child process (bundled by serverProcess.ts), so a test can SIGKILL it and a
 * bench can read its resident memory apart from the load it generates. argv: <dataDir> <port> <storage>.
 * Prints one JSON line `{"url": …, "port": …}` once it is listening.
 */
import { startRecipeServer } from "../../server/recipeServer.js";
import { SERVER_STORAGES, serverStorage } from "./serverStorages.js";

const [dataDir, port, storage] = process.argv.slice(2);
const server = await startRecipeServer({
  dataDir: dataDir!,
  port: Number(port),
  openDatabase: SERVER_STORAGES[serverStorage(storage ?? "sqlite-wal")],
});
process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
