type Handler<T> = (event: T) => void;

/**
 * A typed emitter for the SDK's handful of events. Hand-written because it is 20 lines and the
 * SDK ships to browsers: Node's EventEmitter is not there, and mitt's CommonJS typings do not
 * resolve under NodeNext. A handler that throws must not break delivery to the others.
 */
export class TypedEmitter<Events extends Record<string, unknown>> {
  readonly #handlers = new Map<keyof Events, Set<Handler<never>>>();

  on<K extends keyof Events>(type: K, handler: Handler<Events[K]>): () => void {
    const set = this.#handlers.get(type) ?? new Set<Handler<never>>();
    this.#handlers.set(type, set);
    set.add(handler as Handler<never>);
    return () => set.delete(handler as Handler<never>);
  }

  emit<K extends keyof Events>(type: K, event: Events[K]): void {
    for (const handler of [...(this.#handlers.get(type) ?? [])]) {
      try {
        (handler as Handler<Events[K]>)(event);
      } catch (error) {
        // An app bug must not stop delivery to other handlers nor crash the page or process.
        console.error('syncbell: an event handler threw', error);
      }
    }
  }
}
