/**
 * Promises whose value can be read synchronously once they have fulfilled. Filter evaluation awaits every
 * value it reads (as mozjexl does), which costs a few microtasks per value; a value that has long been known
 * (a client attribute computed earlier in the run, a remembered sampling hash or regExpMatch result) can be
 * used at once by the synchronous fast path (see `Mozjexl.evaluateSync`) when its promise is tracked here.
 */

/** Fulfilled values by promise; a rejected or pending promise has none. */
const fulfilled = new WeakMap<object, { readonly value: unknown }>();

/**
 * Returns `promise` itself, remembering its value once it fulfills. A rejection is not remembered, and is
 * not reported as unhandled because of this (whoever awaits `promise` still sees it).
 */
export function trackSettlement<T>(promise: Promise<T>): Promise<T> {
  promise.then(
    (value) => fulfilled.set(promise, { value }),
    () => undefined,
  );
  return promise;
}

/** `{value}` when `value` is a tracked promise that has fulfilled; undefined for anything else. */
export function settlementOf(value: unknown): { readonly value: unknown } | undefined {
  return typeof value === "object" && value !== null ? fulfilled.get(value) : undefined;
}

/** `then(value)` at once when `promise` is tracked and has fulfilled, else a promise of it (`promise.then(then)`). */
export function thenNowOrLater<T, R>(promise: Promise<T>, then: (value: T) => R): R | Promise<R> {
  const known = settlementOf(promise);
  return known ? then(known.value as T) : promise.then(then);
}
