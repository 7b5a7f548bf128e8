#!/usr/bin/env node
// `npm run bench`: builds every bench/*.bench.ts with esbuild, runs each, prints a table and writes
// bench/results.json (machine, versions, figures). Figures, not pass/fail.
import { build } from "esbuild";
import { readdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const benches = (await readdir(path.join(root, "bench"))).filter((file) => file.endsWith(".bench.ts"));
const results = [];
for (const file of benches) {
  const outfile = path.join(root, "build/bench", file.replace(/\.ts$/, ".mjs"));
  await build({
    entryPoints: [path.join(root, "bench", file)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: ["node20"],
    logLevel: "warning",
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  console.log(`== ${file}`);
  const figures = await (await import(pathToFileURL(outfile).href)).run();
  console.table(
    figures.map(({ name, medianMs, minMs, maxMs, ratios }) => ({
      name,
      "median ms": medianMs,
      "min–max ms": `${minMs}–${maxMs}`,
      ratios: Object.entries(ratios).map(([baseline, ratio]) => `${ratio}× ${baseline}`).join(", "),
    })),
  );
  results.push({ bench: file, figures });
}
const report = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30) },
  versions: { node: process.version },
  results,
};
await writeFile(path.join(root, "bench/results.json"), JSON.stringify(report, null, 2));
console.log("wrote bench/results.json");
