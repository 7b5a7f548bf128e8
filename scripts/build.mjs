#!/usr/bin/env node
// Builds the add-on into dist/ (background and page bundles, one IIFE per experiment API parent script,
// schemas, manifest) and the local recipe server into build/server.mjs.
//   node scripts/build.mjs               add-on + server
//   node scripts/build.mjs --server-only the server alone
import { build } from "esbuild";
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const serverOnly = process.argv.includes("--server-only");

const common = { bundle: true, target: ["firefox140"], logLevel: "warning", legalComments: "none" };

async function buildAddon() {
  await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(root, "manifest.json"), "utf8"));
  const { version } = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
  await writeFile(path.join(dist, "manifest.json"), JSON.stringify({ ...manifest, version }, null, 2));

  // Background and pages are classic scripts too: no module loading order to worry about.
  await build({
    ...common,
    format: "iife",
    // Maps beside the bundles (linked, for the browser's debugger); the packaged add-on leaves them out.
    sourcemap: "linked",
    entryPoints: {
      background: "src/background.ts",
      "pages/console": "src/pages/console.ts",
      "pages/studies": "src/pages/studies.ts",
      "pages/popup": "src/pages/popup.ts",
      // Runs filters' regExpMatch under a time limit (src/core/timeLimitedRegExpMatch.ts).
      "workers/regexp": "src/workers/regExpWorker.ts",
    },
    outdir: dist,
    absWorkingDir: root,
  });
  for (const file of await readdir(path.join(root, "src/pages"))) {
    if (!file.endsWith(".ts")) await cp(path.join(root, "src/pages", file), path.join(dist, "pages", file));
  }

  // Every experiment API's parent script shares one sandbox global with the others, so each is an IIFE.
  for (const api of Object.values(manifest.experiment_apis)) {
    const folder = path.dirname(api.schema);
    await cp(path.join(root, api.schema), path.join(dist, api.schema));
    await build({
      ...common,
      format: "iife",
      entryPoints: [path.join(root, folder, "api.ts")],
      outfile: path.join(dist, api.parent.script),
    });
  }
}

async function buildServer() {
  await build({
    ...common,
    platform: "node",
    target: ["node20"],
    format: "esm",
    entryPoints: [path.join(root, "server/main.ts")],
    outfile: path.join(root, "build/server.mjs"),
    // node-sqlite3-wasm loads its WebAssembly from node_modules at run time.
    external: ["node-sqlite3-wasm"],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  // The server pages' scripts (browser code), served from build/static/ (see server/pageScripts.ts).
  await build({
    ...common,
    format: "iife",
    entryPoints: {
      "recipes-page": "server/web/recipesPageScript.ts",
      "recipe-editor": "server/web/recipeEditorScript.ts",
    },
    outdir: path.join(root, "build/static"),
    absWorkingDir: root,
  });
}

if (!serverOnly) await buildAddon();
await buildServer();
console.log(serverOnly ? "built build/server.mjs" : "built dist/ (add-on) and build/server.mjs (server)");
