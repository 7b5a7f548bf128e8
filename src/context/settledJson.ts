/**
 * A value as JSON would carry it (what a message to a page can: Dates become ISO strings, NaN null, undefined
 * members go, undefined elements become null), with every promise in it awaited first, at any depth, as a
 * filter would await it: the QA console shows `normandy.liveTelemetry.main.payload` as the payload, not as
 * the empty object a promise serializes to. Undefined itself stays undefined. Context values are trees.
 */
export async function settledJson(value: unknown): Promise<unknown> {
  const settled: unknown = await value;
  if (settled === null || typeof settled !== "object" || settled instanceof Date) {
    const json = JSON.stringify(settled);
    return json === undefined ? undefined : (JSON.parse(json) as unknown);
  }
  if (Array.isArray(settled)) return Promise.all(settled.map(async (element) => (await settledJson(element)) ?? null));
  const entries = await Promise.all(
    Object.keys(settled).map(
      async (key) => [key, await settledJson((settled as Record<string, unknown>)[key])] as const,
    ),
  );
  // fromEntries keeps a key such as __proto__ an ordinary key.
  return Object.fromEntries(entries.filter(([, member]) => member !== undefined));
}
