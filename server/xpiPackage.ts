/**
 * What the server needs to know about an uploaded add-on package (XPI): the id and version its
 * manifest.json declares (clients check the downloaded add-on against them), a display name, and the
 * SHA-256 and size of the exact bytes it will serve (clients pin the hash when they install).
 */
import { createHash } from "node:crypto";
import { HttpError } from "./httpResponse.js";
import { looksLikeZip, readZipEntry, ZipFormatError } from "./zipArchive.js";

/** A manifest is a few kilobytes; anything near this is not one. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

export interface XpiFacts {
  /** `browser_specific_settings.gecko.id` (or the older `applications.gecko.id`). */
  extensionId: string;
  version: string;
  /** The manifest's `name`, as written (possibly a `__MSG_…__` placeholder). */
  name: string;
  /** Lowercase hex SHA-256 of the whole package. */
  sha256: string;
  size: number;
}

/** Reads the facts out of an upload; refuses (HTTP 400) anything that is not an add-on with a fixed id. */
export function inspectXpi(bytes: Buffer): XpiFacts {
  const refuse = (message: string): never => {
    throw new HttpError(400, "invalid_xpi", message);
  };
  if (!looksLikeZip(bytes)) refuse("the upload is not a zip archive (an .xpi is one)");
  let manifestBytes: Buffer | null;
  try {
    manifestBytes = readZipEntry(bytes, "manifest.json", MAX_MANIFEST_BYTES);
  } catch (error) {
    if (error instanceof ZipFormatError) refuse(`the archive is malformed: ${error.message}`);
    throw error;
  }
  if (!manifestBytes) return refuse("the archive has no manifest.json at its root");
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(manifestBytes.toString("utf8")) as Record<string, unknown>;
  } catch (error) {
    return refuse(`manifest.json is not valid JSON: ${(error as Error).message}`);
  }
  const gecko = (manifest.browser_specific_settings ?? manifest.applications) as
    { gecko?: { id?: unknown } } | undefined;
  const extensionId = gecko?.gecko?.id;
  // Without a fixed id Firefox makes one up at install time, and clients could not check the download.
  if (typeof extensionId !== "string" || extensionId === "")
    refuse("manifest.json has no browser_specific_settings.gecko.id");
  if (typeof manifest.version !== "string" || manifest.version === "") refuse("manifest.json has no version");
  return {
    extensionId: extensionId as string,
    version: manifest.version as string,
    name: typeof manifest.name === "string" ? manifest.name : (extensionId as string),
    sha256: createHash("sha256").update(bytes).digest("hex"),
    size: bytes.length,
  };
}
