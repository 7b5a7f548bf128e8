import type { AppContext } from "./appContext.js";
import type { StoredExtension } from "./extensionStore.js";
import type { HttpResponse } from "./httpResponse.js";

/** The media type Firefox associates with add-on packages. */
const XPI_CONTENT_TYPE = "application/x-xpinstall";

/** An uploaded package as clients download it: its exact bytes, unless an XPI fault names it. */
export function servedXpi(app: AppContext, extension: StoredExtension): HttpResponse {
  const bytes = app.extensions.bytes(extension);
  const response: HttpResponse = { status: 200, headers: { "Content-Type": XPI_CONTENT_TYPE }, body: bytes };
  const fault = app.faults.active;
  if (fault?.kind === "corrupt-xpi" && fault.extensionId === extension.id) {
    // Same size, one bit different: only the hash check can tell.
    const corrupted = Buffer.from(bytes);
    const middle = Math.floor(corrupted.length / 2);
    corrupted[middle] = corrupted[middle]! ^ 0x01;
    return { ...response, body: corrupted };
  }
  if (fault?.kind === "stall-xpi" && fault.extensionId === extension.id) {
    return { ...response, stallAfterBytes: Math.floor(bytes.length / 2) };
  }
  return response;
}
