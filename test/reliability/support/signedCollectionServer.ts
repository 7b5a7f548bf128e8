/**
 * A Remote Settings server for the fuzzer: it signs and serves whatever recipes it is given, valid or not
 * (the recipe server itself validates every recipe before it signs, so it could never serve these). Its
 * signatures are real, under its own PKI, so hostile recipes get past verification to the filters and
 * actions, as they would if a signing key were misused.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { recipesChangeset } from "../../../server/changeset.js";
import { signCollection } from "../../../server/collectionSignature.js";
import { loadOrCreatePki, type SigningPki } from "../../../server/pki.js";
import type { PublishedRecord } from "../../../server/publishedSnapshot.js";
import { chainPath, chainUrl, COLLECTION_SIGNER, RECIPE_SIGNER, SIGNERS } from "../../../server/signers.js";
import { canonicalJSON, type Recipe } from "../../../src/core/index.js";
import type { Json } from "./hostileRecipes.js";

export class SignedCollectionServer {
  private changeset = "";
  private timestamp = 0;

  private constructor(
    private readonly http: Server,
    private readonly pki: SigningPki,
    readonly serverUrl: string,
  ) {}

  static async start(dataDir: string): Promise<SignedCollectionServer> {
    const pki = await loadOrCreatePki(dataDir);
    let served: SignedCollectionServer | undefined;
    const http = createServer((request, response) => {
      const path = new URL(request.url ?? "/", "http://x").pathname;
      const signer = SIGNERS.find((candidate) => path === `/v1${chainPath(candidate)}`);
      if (signer) {
        response.writeHead(200, { "Content-Type": "application/x-pem-file" }).end(pki.chainPem(signer));
      } else if (path.endsWith("/changeset")) {
        response.writeHead(200, { "Content-Type": "application/json" }).end(served!.changeset);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    served = new SignedCollectionServer(http, pki, `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1`);
    return served;
  }

  get rootHash(): string {
    return this.pki.rootHash;
  }

  /**
   * Signs each recipe (one the signer cannot serialize gets a signature that will not verify) and serves them
   * as the collection, each under its record id. Returns the size of the changeset in bytes.
   */
  async publish(entries: readonly { id: number; recipe: Json }[]): Promise<number> {
    this.timestamp += 1;
    const x5u = chainUrl(this.serverUrl, RECIPE_SIGNER);
    const records = await Promise.all(
      entries.map(async ({ id, recipe: given }): Promise<PublishedRecord> => {
        // Signed as served: through JSON, as the client will read it (-0 becomes 0, and so on).
        const recipe = JSON.parse(JSON.stringify(given)) as Json;
        let signature = "unsignable";
        try {
          signature = await this.pki.sign(RECIPE_SIGNER, canonicalJSON(recipe));
        } catch {
          // Too deep for the signer's serializer: the client will refuse the recipe (sign_error).
        }
        return {
          id: String(id),
          recipe: recipe as unknown as Recipe,
          signature: { signature, x5u, public_key: "", timestamp: this.timestamp },
          last_modified: this.timestamp,
        };
      }),
    );
    const signature = await signCollection(this.pki, this.serverUrl, records, this.timestamp, COLLECTION_SIGNER);
    this.changeset = JSON.stringify(
      recipesChangeset({ timestamp: this.timestamp, serverUrl: this.serverUrl, records, signature }),
    );
    return Buffer.byteLength(this.changeset);
  }

  close(): Promise<void> {
    this.http.closeAllConnections();
    return new Promise((resolve) => this.http.close(() => resolve()));
  }
}
