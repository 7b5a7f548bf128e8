import type { ExtensionDetails } from "../src/core/index.js";
import type { StoredExtension } from "./extensionStore.js";

/** What this server says about an uploaded add-on: always a SHA-256 hash and the size. */
export type ServedExtensionDetails = ExtensionDetails & { hash_algorithm: "sha256"; size: number };

/** The download URL of an uploaded package. */
export function xpiUrl(serverUrl: string, extension: Pick<StoredExtension, "id">): string {
  return `${serverUrl}/extensions/${extension.id}.xpi`;
}

export function extensionDetails(serverUrl: string, extension: StoredExtension): ServedExtensionDetails {
  return {
    id: extension.id,
    name: extension.name,
    xpi: xpiUrl(serverUrl, extension),
    extension_id: extension.extensionId,
    version: extension.version,
    hash: extension.sha256,
    hash_algorithm: "sha256",
    size: extension.size,
  };
}
