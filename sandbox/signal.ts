/**
 * An edge-triggered notification: `wait()` resolves at the next `notify()`. Nothing is remembered, so
 * a waiter checks its condition first and waits only when it does not hold (JavaScript runs the check
 * and the registration without interruption).
 */
export class Signal {
  private readonly waiters = new Set<() => void>();

  /** Resolves at the next notification, or after `timeoutMs` when given. */
  wait(timeoutMs?: number): Promise<void> {
    return Signal.any([this], timeoutMs);
  }

  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves at the first notification of any of `signals`, or after `timeoutMs`; leaves no waiter behind. */
  static any(signals: Signal[], timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = (): void => {
        clearTimeout(timer);
        for (const signal of signals) signal.waiters.delete(wake);
        resolve();
      };
      for (const signal of signals) signal.waiters.add(wake);
      if (timeoutMs !== undefined) timer = setTimeout(wake, Math.max(0, timeoutMs));
    });
  }
}
