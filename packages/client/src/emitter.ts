/** A minimal typed event emitter: `on` returns the function that removes the listener. */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /**
   * Listens to `type`; returns the function that stops listening.
   *
   * @example
   * const off = client.on('gap', ({ channel, from, to }) => resync(channel, from, to));
   */
  on<K extends keyof Events>(type: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Removes every listener of `type`. */
  protected forget(type: keyof Events): void {
    this.listeners.delete(type);
  }

  protected emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    for (const listener of this.listeners.get(type) ?? []) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch (error) {
        // A listener's bug must not break the connection's bookkeeping: report it outside this call.
        setTimeout(() => {
          throw error;
        });
      }
    }
  }
}
