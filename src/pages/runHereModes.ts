import type { RunHereMode } from "../core/index.js";

/** How a recipe was run here, in the words the pages use ("ran here as is", "forced by QA in a chosen branch"). */
export const RUN_HERE_MODE_WORDS: Record<RunHereMode, string> = {
  AS_IS: "as is",
  FILTER_BYPASSED: "with its filter bypassed",
  BRANCH_CHOSEN: "in a chosen branch",
};
