/**
 * Ties an experiment API's TypeScript interface to its schema.json: for every function of the interface,
 * the names of its parameters in order. The mapped type makes the compiler reject a missing function, an
 * extra one, or a wrong parameter count; `test/unit/schemas.test.ts` then compares names and order with
 * the schema, so the interface, the schema and the implementations cannot drift apart.
 */
export type ParameterNames<Api> = {
  [Name in keyof Api]: Api[Name] extends (...args: infer Args) => unknown ? { [Index in keyof Args]: string } : never;
};
