/**
 * What a sandbox started, to stop in reverse order, once. A step added again moves to the top: a part
 * that starts early but must stop before what starts after it (an emulator listening before the
 * functions it later invokes) is added once when it starts and again once it is wired.
 */
export class Teardown {
  private readonly steps: Array<() => unknown> = [];
  private running?: Promise<void>;

  add(step: () => unknown): void {
    const at = this.steps.indexOf(step);
    if (at !== -1) this.steps.splice(at, 1);
    this.steps.push(step);
  }

  /**
   * Runs every step, last added first, each once, even when one fails (the first failure is thrown
   * after the rest ran); later calls get the same promise.
   */
  run(): Promise<void> {
    this.running ??= (async () => {
      let failure: { error: unknown } | undefined;
      for (const step of [...this.steps].reverse()) {
        try {
          await step();
        } catch (error) {
          failure ??= { error };
        }
      }
      if (failure) throw failure.error;
    })();
    return this.running;
  }
}
