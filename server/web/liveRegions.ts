/**
 * The parts of the start page its script re-renders after a change, by fetching the page again: the page is
 * rendered on the server only, and these ids are shared by the renderer and the script.
 */
export const LIVE_REGION_IDS = { recipes: "recipes-live", extensions: "extensions-live" } as const;
export type LiveRegion = keyof typeof LIVE_REGION_IDS;
