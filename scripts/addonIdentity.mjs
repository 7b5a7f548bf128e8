// The add-on's id (as in manifest.json) and a fixed internal UUID, so its pages have a stable
// moz-extension:// URL that `npm start` can print and open.
export const ADDON_ID = "recipe-client@normandy-qa.dev";
export const ADDON_UUID = "4d6e3b8a-6f1c-4c55-9a7e-2f0b8e1d5c21";
