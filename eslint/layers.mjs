/**
 * The layering rule, as an ESLint rule: every relative import is resolved to the layer of the file it names,
 * and a layer may import only from itself and the layers listed below it. The README's architecture section
 * describes the same table; this file is what keeps it true.
 */
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

/**
 * Layers of the add-on, lowest first. A layer may import any layer before it in this list, never one after.
 * `experiment-apis/<namespace>` folders are also kept apart from each other (see `layerOf`).
 */
export const ADDON_LAYERS = [
  "src/core",
  "experiment-apis",
  "src/config",
  "src/prefs",
  "src/addons",
  "src/delivery",
  "src/stores",
  "src/telemetry",
  "src/studies",
  "src/rollouts",
  "src/heartbeat",
  "src/actions",
  "src/context",
  "src/runner",
  "src/workers",
  "src/messages",
  "src/apis",
  "src/pages",
  "src/background",
];

/** What each top-level part outside the add-on may import, besides itself. */
const OTHER_PARTS = {
  server: ["src/core"],
  // Tests, benchmarks and scripts may reach anything they exercise.
  test: null,
  bench: null,
  scripts: null,
  tooling: null,
};

/** `src/runner/RecipeRunner.ts` → `src/runner`; `experiment-apis/prefs/api.ts` → `experiment-apis/prefs`. */
function partOf(file) {
  const relative = path.relative(root, file).split(path.sep);
  if (relative.length === 1) return "tooling"; // eslint.config.mjs, web-ext-config.mjs, vitest.config.ts
  if (relative[0] === "src")
    return relative.length > 2 ? `src/${relative[1]}` : `src/${relative[1].replace(/\.[cm]?[jt]s$/, "")}`;
  if (relative[0] === "experiment-apis")
    return relative.length > 2 ? `experiment-apis/${relative[1]}` : "experiment-apis";
  return relative[0];
}

function layerIndex(part) {
  return ADDON_LAYERS.indexOf(part.startsWith("experiment-apis") ? "experiment-apis" : part);
}

/** Why `from` may not import `to`, or null when it may. */
export function layerViolation(fromFile, toFile) {
  const from = partOf(fromFile);
  const to = partOf(toFile);
  if (from === to) return null;
  if (from in OTHER_PARTS) {
    const allowed = OTHER_PARTS[from];
    if (allowed === null || allowed.includes(to)) return null;
    return `${from} may import only ${allowed.join(", ")}, not ${to}`;
  }
  const fromIndex = layerIndex(from);
  const toIndex = layerIndex(to);
  if (fromIndex < 0 || toIndex < 0) return `${from} may not import ${to} (not an add-on layer)`;
  if (from.startsWith("experiment-apis/") && to.startsWith("experiment-apis/")) {
    return `experiment API namespaces are independent: ${from} may not import ${to}`;
  }
  if (toIndex > fromIndex) return `${from} may not import ${to}: it is a higher layer (see eslint/layers.mjs)`;
  return null;
}

/**
 * Outside core, core is reached through its public surface (index.ts) only. Experiment parent scripts are the
 * exception: they name the few core modules they share (the telemetry registries and their checks), so their
 * IIFE bundles and their type check (no DOM) do not take in the rest of core.
 */
function bypassesCoreIndex(fromFile, toFile) {
  const from = partOf(fromFile);
  if (from === "src/core" || from.startsWith("experiment-apis") || partOf(toFile) !== "src/core") return false;
  return path.basename(toFile).replace(/\.[jt]s$/, "") !== "index";
}

export const layersPlugin = {
  rules: {
    layers: {
      meta: { type: "problem", docs: { description: "imports point only down the layers" }, schema: [] },
      create(context) {
        const check = (node) => {
          const source = node.source?.value;
          if (typeof source !== "string" || !source.startsWith(".")) return;
          const target = path.resolve(path.dirname(context.filename), source);
          const problem = layerViolation(context.filename, target);
          if (problem) context.report({ node: node.source, message: problem });
          else if (
            bypassesCoreIndex(context.filename, target) &&
            !(partOf(context.filename) in OTHER_PARTS && OTHER_PARTS[partOf(context.filename)] === null)
          ) {
            context.report({ node: node.source, message: "import core through src/core/index.ts, its public surface" });
          }
        };
        return {
          ImportDeclaration: check,
          ExportNamedDeclaration: check,
          ExportAllDeclaration: check,
          ImportExpression: check,
        };
      },
    },
  },
};
