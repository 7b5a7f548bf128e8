/** A filter expression that does not parse, and where: `position` is the 0-based offset of the offending token. */
export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = "FilterSyntaxError";
  }
}
