import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomically } from "./atomicFile.js";
import type { RecipeDatabase, Row } from "./database.js";
import type { Clock } from "./recipeStore.js";
import { inspectXpi } from "./xpiPackage.js";

/** An uploaded add-on package, as the server keeps it. */
export interface StoredExtension {
  /** The number recipes name as `extensionApiId`. */
  id: number;
  /** The add-on id its manifest declares. */
  extensionId: string;
  name: string;
  version: string;
  /** Lowercase hex SHA-256 of the file. */
  sha256: string;
  size: number;
  /** ms since epoch */
  uploadedAt: number;
}

/**
 * Uploaded XPIs: their facts in the database, their bytes in `<dataDir>/xpis/<sha256>.xpi`. Files are
 * named by content, so uploading the same package twice stores it once, and a file is complete before any
 * row points at it (a crash in between leaves at most an unreferenced file).
 */
export class ExtensionStore {
  private readonly directory: string;

  constructor(
    private readonly database: RecipeDatabase,
    dataDir: string,
    private readonly now: Clock,
  ) {
    this.directory = join(dataDir, "xpis");
  }

  /** Checks the package (HTTP 400 when it is not an add-on with an id and version) and stores it. */
  add(bytes: Buffer): StoredExtension {
    const facts = inspectXpi(bytes);
    mkdirSync(this.directory, { recursive: true });
    const path = this.filePath(facts.sha256);
    if (!existsSync(path)) writeFileAtomically(path, bytes);
    return this.database.write(() => {
      this.database.run(
        "INSERT INTO extensions (extension_id, name, version, sha256, size, uploaded_at) VALUES (?, ?, ?, ?, ?, ?)",
        [facts.extensionId, facts.name, facts.version, facts.sha256, facts.size, this.now().getTime()],
      );
      return this.get(this.database.lastInsertId())!;
    });
  }

  get(id: number): StoredExtension | undefined {
    const row = this.database.rows("SELECT * FROM extensions WHERE id = ?", [id])[0];
    return row && extensionFromRow(row);
  }

  /**
   * Forgets the package. Its file stays: files are named by content, so
   * another upload may share it. Recipes that name it can no longer be saved or published.
   */
  delete(id: number): void {
    this.database.write(() => this.database.run("DELETE FROM extensions WHERE id = ?", [id]));
  }

  list(): StoredExtension[] {
    return this.database.rows("SELECT * FROM extensions ORDER BY id").map(extensionFromRow);
  }

  /** The package's bytes, exactly as uploaded. */
  bytes(extension: StoredExtension): Buffer {
    return readFileSync(this.filePath(extension.sha256));
  }

  private filePath(sha256: string): string {
    return join(this.directory, `${sha256}.xpi`);
  }
}

function extensionFromRow(row: Row): StoredExtension {
  return {
    id: Number(row["id"]),
    extensionId: String(row["extension_id"]),
    name: String(row["name"]),
    version: String(row["version"]),
    sha256: String(row["sha256"]),
    size: Number(row["size"]),
    uploadedAt: Number(row["uploaded_at"]),
  };
}
