/**
 * Writes small zip archives for tests of the server's zip reader and XPI upload: each file stored or
 * deflated, with an optional archive comment. Just the format the reader needs (no zip64, no timestamps).
 */
import { crc32, deflateRawSync } from "node:zlib";

export interface ZipFile {
  name: string;
  content: string | Buffer;
  /** Default true: deflate (method 8); false stores it (method 0). */
  deflate?: boolean;
}

export function zipArchive(files: ZipFile[], comment = ""): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, "utf8");
    const content = Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content, "utf8");
    const deflate = file.deflate ?? true;
    const data = deflate ? deflateRawSync(content) : content;
    const checksum = crc32(content);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(checksum, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const commentBytes = Buffer.from(comment, "utf8");
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(commentBytes.length, 20);
  return Buffer.concat([...locals, directory, end, commentBytes]);
}

/** A minimal WebExtension package with this id and version. */
export function addonXpi(id: string, version: string, name = "Test add-on"): Buffer {
  const manifest = { manifest_version: 2, name, version, browser_specific_settings: { gecko: { id } } };
  return zipArchive([
    { name: "manifest.json", content: JSON.stringify(manifest) },
    { name: "background.js", content: "// nothing\n" },
  ]);
}
