import type { ActionName } from "./actionArguments.js";
import type { RecipeDatabase, Row } from "./database.js";

/** The parts of a recipe QA writes. */
export interface RecipeFields {
  name: string;
  action: ActionName;
  arguments: Record<string, unknown>;
  filter_expression: string;
  /** Extra capabilities the client must have; `action.<name>` is always added on publish. */
  capabilities: string[];
}

/** A recipe as the server keeps it, published or not. */
export interface StoredRecipe extends RecipeFields {
  id: number;
  enabled: boolean;
  /** Starts at 1 and bumps on every content edit (not on enable/disable, which change no content). */
  revision_id: number;
  /** ms since epoch of the last change of any kind. */
  last_modified: number;
}

export type Clock = () => Date;

/** Recipe CRUD over the database. Every change is its own transaction and is on disk when the call returns. */
export class RecipeStore {
  constructor(
    private readonly database: RecipeDatabase,
    private readonly now: Clock,
  ) {}

  list(): StoredRecipe[] {
    return this.database.rows("SELECT * FROM recipes ORDER BY id").map(recipeFromRow);
  }

  get(id: number): StoredRecipe | undefined {
    const row = this.database.rows("SELECT * FROM recipes WHERE id = ?", [id])[0];
    return row && recipeFromRow(row);
  }

  create(fields: RecipeFields, enabled = false): StoredRecipe {
    return this.database.write(() => {
      this.database.run(
        `INSERT INTO recipes (name, action, arguments, filter_expression, capabilities, enabled, revision_id, last_modified)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?)`,
        [...fieldColumns(fields), enabled ? 1 : 0, this.now().getTime()],
      );
      return this.mustGet(this.database.lastInsertId());
    });
  }

  /**
   * Replaces the recipe's content and bumps its revision; `enabled` too when given. Undefined if there
   * is no such recipe.
   */
  update(id: number, fields: RecipeFields, enabled?: boolean): StoredRecipe | undefined {
    return this.database.write(() => {
      this.database.run(
        `UPDATE recipes SET name = ?, action = ?, arguments = ?, filter_expression = ?, capabilities = ?,
           enabled = COALESCE(?, enabled), revision_id = revision_id + 1, last_modified = ? WHERE id = ?`,
        [...fieldColumns(fields), enabled === undefined ? null : enabled ? 1 : 0, this.now().getTime(), id],
      );
      return this.get(id);
    });
  }

  setEnabled(id: number, enabled: boolean): StoredRecipe | undefined {
    return this.database.write(() => {
      this.database.run("UPDATE recipes SET enabled = ?, last_modified = ? WHERE id = ?", [
        enabled ? 1 : 0,
        this.now().getTime(),
        id,
      ]);
      return this.get(id);
    });
  }

  /** True if a recipe was deleted. */
  delete(id: number): boolean {
    return this.database.write(() => {
      const existed = this.get(id) !== undefined;
      this.database.run("DELETE FROM recipes WHERE id = ?", [id]);
      return existed;
    });
  }

  private mustGet(id: number): StoredRecipe {
    const recipe = this.get(id);
    if (!recipe) throw new Error(`recipe ${id} vanished inside its own transaction`);
    return recipe;
  }
}

function fieldColumns(fields: RecipeFields): [string, string, string, string, string] {
  return [
    fields.name,
    fields.action,
    JSON.stringify(fields.arguments),
    fields.filter_expression,
    JSON.stringify(fields.capabilities),
  ];
}

function recipeFromRow(row: Row): StoredRecipe {
  return {
    id: Number(row["id"]),
    name: String(row["name"]),
    action: String(row["action"]) as ActionName,
    arguments: JSON.parse(String(row["arguments"])) as Record<string, unknown>,
    filter_expression: String(row["filter_expression"]),
    capabilities: JSON.parse(String(row["capabilities"])) as string[],
    enabled: row["enabled"] === 1,
    revision_id: Number(row["revision_id"]),
    last_modified: Number(row["last_modified"]),
  };
}
