// ESLint flat config: the rules this codebase already follows, written down so a change cannot quietly drop
// them. `npm run lint` runs it with --max-warnings 0.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { layersPlugin } from "./eslint/layers.mjs";

export default tseslint.config(
  { ignores: ["dist/", "build/", "node_modules/", "server-data/", "test-results/", "web-ext-artifacts/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mjs"],
    plugins: { local: layersPlugin },
    languageOptions: {
      globals: {
        // Node, the browser, web extensions and the experiment parent scripts: tsc checks which exist where.
        console: "readonly",
        process: "readonly",
        URL: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        fetch: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
      },
    },
    rules: {
      "local/layers": "error",
      // Types are imported as types, so bundles never pull a module in for a type.
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/no-explicit-any": "error",
      eqeqeq: ["error", "always", { null: "ignore" }],
      // A closure may read a variable that is assigned once, after it is made.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      "no-var": "error",
      "no-implicit-coercion": "error",
      "object-shorthand": "error",
      "no-else-return": "error",
    },
  },
  {
    // tsc resolves names in TypeScript files; ESLint's own undefined-name check would only repeat it, worse.
    files: ["**/*.ts"],
    rules: { "no-undef": "off" },
  },
);
