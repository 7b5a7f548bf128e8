/** Runs async work one piece at a time, in call order, so a timestamp and "the previous snapshot" are never raced. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once nothing queued so far is still running. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
