import type { RemoteSettingsRecord } from "./collectionSignedData.js";

/** A recipe in Normandy's minimal shape, exactly as it is signed. */
export interface Recipe {
  id: number;
  name: string;
  revision_id: string;
  action: string;
  arguments: Record<string, unknown>;
  filter_expression: string;
  capabilities?: string[];
}

/** An Autograph content signature as delivered next to the data it signs. */
export interface SignatureRef {
  signature: string;
  x5u: string;
}

/** A record of the `normandy-recipes-capabilities` collection: the recipe plus its own signature. */
export interface RecipeRecord extends RemoteSettingsRecord {
  recipe: Recipe;
  signature: SignatureRef;
}
