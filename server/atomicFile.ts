import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Replaces `path` with `bytes` so that a crash at any moment leaves either the old or the new file,
 * never a torn one: write a sibling temp file, flush it to disk, then rename it over the target.
 */
export function writeFileAtomically(path: string, bytes: Uint8Array): void {
  const temporaryPath = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporaryPath, "w", 0o600);
  try {
    let written = 0;
    while (written < bytes.length) {
      written += writeSync(fd, bytes, written, bytes.length - written);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporaryPath, path);
  syncDirectory(dirname(path));
}

/** Makes the rename itself durable. Not every platform can open a directory (Windows cannot); skip there. */
function syncDirectory(directory: string): void {
  let fd: number;
  try {
    fd = openSync(directory, "r");
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    closeSync(fd);
  }
}
