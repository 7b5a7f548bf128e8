/**
 * The subjects (dNSName) of the certificates that sign a recipe server's preview collection: drafts QA asked the
 * server to sign, for the QA console's "Run here". They chain to the same pinned root as the published
 * collection's, but are other certificates: the collection signature does not name its bucket, so a preview
 * signed by the published collection's signers would verify as the published collection, and a hostile network
 * could hand every client a draft. The add-on checks previews against these subjects only, and runs against the
 * configured ones only.
 */
export const PREVIEW_RECIPE_SIGNER = "normandy-preview.content-signature.local";
export const PREVIEW_COLLECTION_SIGNER = "remote-settings-preview.content-signature.local";
