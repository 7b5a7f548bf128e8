import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The scripts of the server's pages, by the name they are served under (`/static/<name>`). */
export const PAGE_SCRIPTS = ["recipes-page.js", "recipe-editor.js"] as const;
export type PageScript = (typeof PAGE_SCRIPTS)[number];

/**
 * Where scripts/build.mjs bundles them (from server/web/). The same relative URL works from the source
 * (server/pageScripts.ts, as tests run it) and from the bundle (build/server.mjs): both resolve to build/static/.
 */
const STATIC_DIR = new URL("../build/static/", import.meta.url);

export function isPageScript(name: string): name is PageScript {
  return (PAGE_SCRIPTS as readonly string[]).includes(name);
}

/** The bundled script, or undefined when it has not been built. */
export async function readPageScript(name: PageScript): Promise<string | undefined> {
  try {
    return await readFile(fileURLToPath(new URL(name, STATIC_DIR)), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
