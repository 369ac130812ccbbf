import { countProblems, refuseProblems } from './option-checks.js';

/**
 * Remembers the last `capacity` ids seen, forgetting the oldest first. Delivery is
 * at-least-once (a notification can arrive live and again in a replay), so the SDK drops
 * repeats; the bound keeps a long-lived tab from growing without limit.
 * Hand-written because it is a Set plus a FIFO: no library does less.
 */
export class BoundedIdSet {
  readonly #capacity: number;
  readonly #ids = new Set<string>();

  constructor(capacity: number) {
    refuseProblems('BoundedIdSet', countProblems('capacity', capacity));
    this.#capacity = capacity;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Adds `id`; returns false when it was already present. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) {
      // Sets iterate in insertion order, so the first key is the oldest.
      const oldest = this.#ids.values().next().value as string;
      this.#ids.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.#ids.size;
  }
}
