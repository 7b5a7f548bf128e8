/** Why a content signature or its certificate chain was rejected. */
export type ContentSignatureErrorCode =
  | "bad-signature-encoding"
  | "wrong-signature-size"
  | "signature-mismatch"
  | "certificate-expired"
  | "certificate-not-yet-valid"
  | "wrong-subject"
  | "wrong-root"
  | "broken-chain"
  | "cannot-sign"
  | "wrong-key-usage"
  | "unsupported-extension"
  | "key-too-small"
  | "name-constraint-violation";

export class ContentSignatureError extends Error {
  constructor(
    readonly code: ContentSignatureErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ContentSignatureError";
  }
}
