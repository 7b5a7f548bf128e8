import { ContentSignatureError } from "../../src/core/index.js";

/** The ContentSignatureError code a verification rejects with, or "valid" when it resolves; other errors are rethrown. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ContentSignatureError) return error.code;
    throw error;
  }
  return "valid";
}
