/**
 * Reads single files out of a zip archive (an XPI is one), enough to find an add-on's manifest.json: the
 * end-of-central-directory record locates the central directory, whose entries give each file's local
 * header, compression method and sizes. Stored (0) and deflated (8) entries are supported; zip64 archives,
 * encrypted entries and multi-disk archives are refused. Every offset is bounds-checked, so a malformed
 * upload fails with a ZipFormatError instead of reading past the buffer.
 */
import { inflateRawSync } from "node:zlib";

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const END_RECORD_SIZE = 22;
/** The end record sits at the very end, after a comment of at most 65,535 bytes. */
const MAX_COMMENT_SIZE = 0xffff;
const ZIP64_MARKER = 0xffffffff;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const FLAG_ENCRYPTED = 0x1;

/** The first four bytes of every zip archive that starts with a file (a local file header). */
export const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZipFormatError";
  }
}

interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= ZIP_MAGIC.length && ZIP_MAGIC.equals(bytes.subarray(0, ZIP_MAGIC.length));
}

/**
 * The uncompressed content of `name`, or null when the archive has no such file. Refuses (ZipFormatError)
 * an entry that would inflate to more than `maxBytes`, so a zip bomb cannot exhaust memory.
 */
export function readZipEntry(archive: Buffer, name: string, maxBytes: number): Buffer | null {
  const entry = centralDirectory(archive).find((candidate) => candidate.name === name);
  if (!entry) return null;
  if (entry.flags & FLAG_ENCRYPTED) throw new ZipFormatError(`${name} is encrypted`);
  if (entry.uncompressedSize > maxBytes) throw new ZipFormatError(`${name} is larger than ${maxBytes} bytes`);
  const header = entry.localHeaderOffset;
  need(archive, header, 30, "local file header");
  if (archive.readUInt32LE(header) !== LOCAL_FILE_HEADER) throw new ZipFormatError(`no local file header for ${name}`);
  // The local header's own name and extra lengths may differ from the central directory's.
  const dataStart = header + 30 + archive.readUInt16LE(header + 26) + archive.readUInt16LE(header + 28);
  need(archive, dataStart, entry.compressedSize, `data of ${name}`);
  const data = archive.subarray(dataStart, dataStart + entry.compressedSize);
  let content: Buffer;
  switch (entry.method) {
    case METHOD_STORED:
      content = Buffer.from(data);
      break;
    case METHOD_DEFLATED:
      try {
        content = inflateRawSync(data, { maxOutputLength: maxBytes });
      } catch (error) {
        throw new ZipFormatError(`${name} cannot be inflated: ${(error as Error).message}`);
      }
      break;
    default:
      throw new ZipFormatError(
        `${name} uses compression method ${entry.method}; only stored and deflated are supported`,
      );
  }
  if (content.length !== entry.uncompressedSize) {
    throw new ZipFormatError(
      `${name} inflated to ${content.length} bytes, the directory says ${entry.uncompressedSize}`,
    );
  }
  return content;
}

function centralDirectory(archive: Buffer): CentralEntry[] {
  const end = findEndRecord(archive);
  if (archive.readUInt16LE(end + 4) !== 0 || archive.readUInt16LE(end + 6) !== 0) {
    throw new ZipFormatError("multi-disk archives are not supported");
  }
  const count = archive.readUInt16LE(end + 10);
  const size = archive.readUInt32LE(end + 12);
  const offset = archive.readUInt32LE(end + 16);
  if (size === ZIP64_MARKER || offset === ZIP64_MARKER) throw new ZipFormatError("zip64 archives are not supported");
  need(archive, offset, size, "central directory");
  const entries: CentralEntry[] = [];
  let at = offset;
  for (let index = 0; index < count; index++) {
    need(archive, at, 46, "central directory entry");
    if (archive.readUInt32LE(at) !== CENTRAL_DIRECTORY_ENTRY)
      throw new ZipFormatError(`central directory entry ${index} is malformed`);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    need(archive, at + 46, nameLength, "file name");
    const entry: CentralEntry = {
      flags: archive.readUInt16LE(at + 8),
      method: archive.readUInt16LE(at + 10),
      compressedSize: archive.readUInt32LE(at + 20),
      uncompressedSize: archive.readUInt32LE(at + 24),
      localHeaderOffset: archive.readUInt32LE(at + 42),
      name: archive.toString("utf8", at + 46, at + 46 + nameLength),
    };
    if ([entry.compressedSize, entry.uncompressedSize, entry.localHeaderOffset].includes(ZIP64_MARKER)) {
      throw new ZipFormatError("zip64 entries are not supported");
    }
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * The offset of the end-of-central-directory record, searched backwards over a possible comment. The
 * comment may itself contain the record's signature, so a candidate counts only if its comment length
 * reaches exactly to the end of the archive.
 */
function findEndRecord(archive: Buffer): number {
  const lowest = Math.max(0, archive.length - END_RECORD_SIZE - MAX_COMMENT_SIZE);
  for (let at = archive.length - END_RECORD_SIZE; at >= lowest; at--) {
    if (archive.readUInt32LE(at) !== END_OF_CENTRAL_DIRECTORY) continue;
    if (at + END_RECORD_SIZE + archive.readUInt16LE(at + 20) === archive.length) return at;
  }
  throw new ZipFormatError("not a zip archive: no end-of-central-directory record");
}

function need(archive: Buffer, offset: number, length: number, what: string): void {
  if (offset < 0 || length < 0 || offset + length > archive.length)
    throw new ZipFormatError(`the ${what} lies outside the archive`);
}
