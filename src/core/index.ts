export { canonicalJSON } from "./canonicalJson.js";
export { CONTENT_SIGNATURE_PREFIX, verifyContentSignature, type ContentSignatureOptions } from "./contentSignature.js";
export { ContentSignatureError, type ContentSignatureErrorCode } from "./contentSignatureError.js";
export { verifyCertificateChain, type ChainVerificationOptions, type VerifiedChain } from "./certificateChain.js";
export { createCachedVerifier, type CachedVerifier } from "./verificationCache.js";
export { parsePemChain, KEY_USAGE_BITS, type Certificate, type KeyUsage } from "./x509.js";
export { Oid } from "./oids.js";
export { collectionSignedData, type RemoteSettingsRecord } from "./collectionSignedData.js";
export { attributesReadByFilter, evaluateFilter, filterSyntaxError, type FilterContext } from "./filterExpressions.js";
export { FilterSyntaxError } from "./filterSyntaxError.js";
export type { Recipe, RecipeRecord, SignatureRef } from "./recipe.js";
export { FILTER_TRANSFORM_NAMES, type FilterOptions, type FilterPrefsReader } from "./filterExpressions.js";
export { bucketSample, fractionToKey, ratioSample, stableSample, truncatedHash } from "./sampling.js";
export { compareVersions } from "./versionCompare.js";
export {
  validateJson,
  type JsonSchema,
  type JsonSchemaType,
  type ValidationOptions,
  type ValidationResult,
} from "./jsonSchemaValidator.js";
export { ACTION_SCHEMAS, type ActionName } from "./actionSchemas.js";
export * from "./heartbeat.js";
export { RETRY_AFTER_LIMIT_MS, retryAfterMs } from "./retryAfter.js";
export { nativeRegExpMatch, runMatchJob, type MatchJob, type MatchOutcome, type RegExpMatcher } from "./regExpMatch.js";
export {
  REGEXP_TIME_LIMIT_MS,
  RegExpTimeLimitError,
  timeLimitedRegExpMatch,
  type MatchWorker,
  type MatchWorkerFactory,
} from "./timeLimitedRegExpMatch.js";
export { memoizedRegExpMatch } from "./memoizedRegExpMatch.js";
export { trackSettlement } from "./settledPromise.js";
export { setOwnProperty } from "./setOwnProperty.js";
export type { ExtensionDetails } from "./extensionDetails.js";
export { errorMessage } from "./errorMessage.js";
export { contextTag, DerTag } from "./der.js";
export * from "./uptakeStatus.js";
export * from "./suitability.js";
export * from "./runReport.js";
export * from "./eventRegistry.js";
export * from "./eventValidation.js";
export * from "./clientPingRegistry.js";
export * from "./clientPingValidation.js";
export * from "./eventFormat.js";
export * from "./intakeBatch.js";
export * from "./loggedEvents.js";
export * from "./eventSessions.js";
export {
  explainFilter,
  sourceText,
  valueText,
  MAX_VALUE_TEXT,
  type ExplainedNode,
  type FilterExplanation,
  type NodeOutcome,
} from "./filterExplanation.js";
export * from "./heartbeatPing.js";
export * from "./serialQueue.js";
export * from "./forcedEnrollment.js";
export * from "./previewSigners.js";
