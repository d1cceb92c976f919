/** Collects the lines functions write, parsed where they are JSON. */
export class LogCapture {
  readonly lines: Array<{ fn: string; line: string; json?: Record<string, unknown> }> = [];

  readonly sink = (fn: string, line: string): void => {
    let json: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === 'object' && parsed !== null) json = parsed as Record<string, unknown>;
    } catch {
      // not JSON
    }
    this.lines.push({ fn, line, json });
  };

  /** Parsed JSON lines, optionally of one function. */
  records(fn?: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l.json && (!fn || l.fn === fn)).map((l) => l.json!);
  }

  /**
   * Waits until at least `count` records of `fn` match (a function's lines cross from its worker
   * thread after its answer, so a test reading them right after a request may see too few), then
   * returns them all.
   */
  async waitForRecords(fn: string, match: (record: Record<string, unknown>) => boolean, count: number, timeoutMs = 5_000): Promise<Record<string, unknown>[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.records(fn).filter(match);
      if (found.length >= count || Date.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Events the fixture handlers logged as `{"fixture": name, "event": …}`. */
  fixtureEvents(name: string): Record<string, unknown>[] {
    return this.records()
      .filter((r) => r.fixture === name)
      .map((r) => r.event as Record<string, unknown>);
  }

  /** Waits until `count` fixture events of `name` arrived (worker output is asynchronous). */
  async waitForFixture(name: string, count = 1, timeoutMs = 5_000): Promise<Record<string, unknown>[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const events = this.fixtureEvents(name);
      if (events.length >= count) return events;
      if (Date.now() > deadline) throw new Error(`expected ${count} ${name} event(s), saw ${events.length}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  text(): string {
    return this.lines.map((l) => l.line).join('\n');
  }

  clear(): void {
    this.lines.length = 0;
  }
}
