import { describe, expect, it } from "vitest";
import { looksLikeZip, readZipEntry, ZipFormatError } from "../../server/zipArchive.js";
import { zipArchive } from "./zipFixture.js";

describe("the server's zip reader", () => {
  const text = "the quick brown fox ".repeat(50);

  it("reads deflated and stored entries by name, and null for a missing one", () => {
    const archive = zipArchive([
      { name: "a.txt", content: text },
      { name: "dir/b.txt", content: "stored", deflate: false },
    ]);
    expect(looksLikeZip(archive)).toBe(true);
    expect(readZipEntry(archive, "a.txt", 1_000_000)?.toString()).toBe(text);
    expect(readZipEntry(archive, "dir/b.txt", 1_000_000)?.toString()).toBe("stored");
    expect(readZipEntry(archive, "c.txt", 1_000_000)).toBeNull();
  });

  it("finds the directory behind an archive comment, even one containing the directory's signature", () => {
    const archive = zipArchive(
      [{ name: "a.txt", content: "x" }],
      "a comment with PK\u0005\u0006 and more text after it",
    );
    expect(readZipEntry(archive, "a.txt", 100)?.toString()).toBe("x");
  });

  it("refuses an entry larger than the limit without inflating it", () => {
    const archive = zipArchive([{ name: "big", content: Buffer.alloc(100_000) }]);
    expect(() => readZipEntry(archive, "big", 10_000)).toThrow(ZipFormatError);
  });

  it("refuses what is not a zip, and a truncated archive, with ZipFormatError", () => {
    expect(looksLikeZip(Buffer.from("hello"))).toBe(false);
    expect(() => readZipEntry(Buffer.from("not a zip at all, just some words"), "a", 10)).toThrow(ZipFormatError);
    const archive = zipArchive([{ name: "a.txt", content: text }]);
    // Cut the file data: the directory still points into bytes that are gone.
    const cut = Buffer.concat([archive.subarray(0, 40), archive.subarray(archive.length - 22 - 31 - 5)]);
    expect(() => readZipEntry(cut, "a.txt", 1_000_000)).toThrow(ZipFormatError);
  });

  it("refuses a directory entry whose sizes disagree with the data", () => {
    const archive = zipArchive([{ name: "a.txt", content: text }]);
    const directoryAt = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    archive.writeUInt32LE(text.length + 1, directoryAt + 24); // uncompressed size off by one
    expect(() => readZipEntry(archive, "a.txt", 1_000_000)).toThrow(/inflated to/);
  });
});
