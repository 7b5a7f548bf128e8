import type { StoredExtension } from "./extensionStore.js";

/** What the legacy Normandy API says about an uploaded add-on (`GET /api/v1/extension/<id>/`). */
export interface ExtensionDetails {
  id: number;
  name: string;
  /** Where clients download the package. */
  xpi: string;
  /** The add-on id its manifest declares. */
  extension_id: string;
  version: string;
  hash: string;
  hash_algorithm: "sha256";
  /** Bytes; Normandy's server did not send it, clients may use it as a download limit. */
  size: number;
}

/** The download URL of an uploaded package. */
export function xpiUrl(serverUrl: string, extension: Pick<StoredExtension, "id">): string {
  return `${serverUrl}/extensions/${extension.id}.xpi`;
}

export function extensionDetails(serverUrl: string, extension: StoredExtension): ExtensionDetails {
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
