/**
 * The calling convention for scripts run in Firefox: the caller passes a function *body* that may
 * `await` and `return`; the arguments are in the array `args`. The body is wrapped for
 * `WebDriver:ExecuteAsyncScript`, whose completion callback receives either the value or the error, so a
 * rejected promise fails the call at once instead of running into the script timeout.
 */
type ScriptOutcome = { ok: true; value: unknown } | { ok: false; message: string; stack: string };

export function wrapAsyncBody(body: string): string {
  return `
const __complete = arguments[arguments.length - 1];
const args = Array.prototype.slice.call(arguments, 0, -1);
(async () => {
${body}
})().then(
  (value) => __complete({ ok: true, value: value === undefined ? null : value }),
  (error) => __complete({ ok: false, message: String(error?.message ?? error), stack: String(error?.stack ?? "") }),
);`;
}

/** Returns the script's value, or throws an Error carrying the in-browser message and stack. */
export function unwrapOutcome<T>(where: string, outcome: unknown): T {
  const result = outcome as ScriptOutcome;
  if (result.ok) return result.value as T;
  const error = new Error(`Script in ${where} failed: ${result.message}`);
  error.stack = `${error.stack ?? ""}\n--- in Firefox ---\n${result.stack}`;
  throw error;
}
