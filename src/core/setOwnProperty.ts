/**
 * `target[key] = value`, except that it always makes an own data property: for the key `__proto__`, plain
 * assignment would replace the object's prototype instead, and the entry would vanish from `Object.keys`.
 * Keys that come from data (pref names, slugs, argument keys) go through this.
 */
export function setOwnProperty<Value>(target: { [key: string]: Value }, key: string, value: Value): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
