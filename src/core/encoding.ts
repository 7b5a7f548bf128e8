/** Byte/text encodings shared by the DER, X.509 and content-signature code. Pure: uses only `atob`. */

/** Thrown when text is not valid in the encoding it claims to be in. */
export class EncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EncodingError";
  }
}

const BASE64URL_BODY = /^[A-Za-z0-9_-]*$/;
const BASE64_BODY = /^[A-Za-z0-9+/]*$/;

/** Decodes standard base64 (`+/`, padding optional). Whitespace is not allowed; strip it first. */
export function base64Decode(text: string): Uint8Array<ArrayBuffer> {
  return decodeAlphabet(text, BASE64_BODY, "base64");
}

/** Decodes base64url (`-_`, padding optional), as Autograph encodes content signatures. */
export function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> {
  return decodeAlphabet(text, BASE64URL_BODY, "base64url");
}

function decodeAlphabet(text: string, body: RegExp, name: string): Uint8Array<ArrayBuffer> {
  const unpadded = text.replace(/={1,2}$/, "");
  const padded = unpadded !== text;
  if (!body.test(unpadded) || unpadded.length % 4 === 1 || (padded && text.length % 4 !== 0)) {
    throw new EncodingError(`not valid ${name}`);
  }
  const standard = unpadded.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(standard.padEnd(Math.ceil(standard.length / 4) * 4, "="));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Lowercase hex of the bytes, no separators. */
export function hexEncode(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
