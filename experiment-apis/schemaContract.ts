/**
 * Ties an experiment API's TypeScript interface to its schema.json: for every function of the interface,
 * the names of its parameters in order, and for every event the names of its listener's parameters and of
 * the extra `addListener` arguments. The mapped types make the compiler reject a missing function or event,
 * an extra one, or a wrong parameter count; `test/unit/schemas.test.ts` then compares names, order and
 * parameter types with the schema, so the interface, the schema and the implementations cannot drift apart.
 */

/**
 * An event of an experiment namespace as the extension sees it (`ExtensionCommon.EventManager`'s `api()`):
 * `extra` are the schema's `extraParameters`, passed to the parent's `register` for each listener.
 */
export interface ExperimentEvent<Args extends unknown[], Extra extends unknown[] = []> {
  addListener(listener: (...args: Args) => void, ...extra: Extra): void;
  removeListener(listener: (...args: Args) => void): void;
  hasListener(listener: (...args: Args) => void): boolean;
}

type FunctionKeys<Api> = {
  [Name in keyof Api]: Api[Name] extends (...args: never[]) => unknown ? Name : never;
}[keyof Api];
type EventKeys<Api> = {
  [Name in keyof Api]: Api[Name] extends ExperimentEvent<never[], never[]> ? Name : never;
}[keyof Api];

export type ParameterNames<Api> = {
  [Name in FunctionKeys<Api>]: Api[Name] extends (...args: infer Args) => unknown
    ? { [Index in keyof Args]: string }
    : never;
};

export type EventParameterNames<Api> = {
  [Name in EventKeys<Api>]: Api[Name] extends ExperimentEvent<infer Args, infer Extra>
    ? { parameters: { [Index in keyof Args]: string }; extraParameters: { [Index in keyof Extra]: string } }
    : never;
};
