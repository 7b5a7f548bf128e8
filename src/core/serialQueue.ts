/**
 * Runs async steps one at a time, in call order: a store's read-modify-write steps (so concurrent writers never
 * lose each other's changes), the runner's runs, the server's signings (so a timestamp and "the previous
 * snapshot" are never raced). A failed step fails its own caller only; the next step still runs.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.tail.then(step);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every step queued so far has finished. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
