/**
 * An add-on package as the legacy Normandy API describes it (`GET <apiUrl>extension/<extensionApiId>/`,
 * Normandy's `NormandyApi.fetchExtensionDetails`): the wire format the local server writes and the client reads.
 */
export interface ExtensionDetails {
  /** The extensionApiId recipes name. */
  id: number;
  name: string;
  /** Where the package is downloaded from. */
  xpi: string;
  /** The add-on id the package's manifest declares. */
  extension_id: string;
  version: string;
  hash: string;
  hash_algorithm: string;
  /** The package's size in bytes; our server sends it, Normandy's did not. */
  size?: number;
}
