/**
 * Runs the recipe runner once at start-up and then every `intervalSeconds()` (re-read before each wait,
 * so a changed pref takes effect at the next run). A persistent background page keeps the timer alive.
 */
export class RunScheduler {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly run: (trigger: string) => Promise<unknown>,
    private readonly intervalSeconds: () => Promise<number>,
  ) {}

  async start(): Promise<void> {
    await this.run("startup");
    await this.scheduleNext();
  }

  private async scheduleNext(): Promise<void> {
    const seconds = Math.max(60, await this.intervalSeconds());
    this.timer = setTimeout(() => {
      void this.run("timer").finally(() => this.scheduleNext());
    }, seconds * 1000);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
