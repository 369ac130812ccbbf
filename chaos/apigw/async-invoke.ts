/**
 * Lambda's asynchronous invocation of one function, emulated in the order AWS documents it (AWS
 * Lambda developer guide, "How Lambda handles asynchronous invocations" and "Configuring error
 * handling for asynchronous invocation", docs.aws.amazon.com/lambda/latest/dg/invocation-async.html):
 *
 * 1. `Invoke` with `InvocationType: Event` answers 202 once the event is in the function's queue;
 *    that 202 is what "accepted" means (the jobs handler answers its own 202 only after it).
 * 2. Lambda runs the function with the event when it has concurrency for it. When it has none (the
 *    function's reserved concurrency is used up, or set to 0), the invocation is throttled and
 *    Lambda returns the event to the queue and retries it with an increasing backoff (1 s up to
 *    5 min on AWS), for up to the maximum event age (6 h by default, 60 s at least).
 * 3. When the function returns an error, Lambda retries it up to `MaximumRetryAttempts` times (2
 *    by default; 1 min, then 2 min apart on AWS).
 * 4. An event that runs out of retries or outlives its maximum age goes to the on-failure
 *    destination with its `requestPayload` and the condition (`RetriesExhausted`,
 *    `EventAgeExceeded`); without one it is discarded.
 *
 * No local tool emulates this queue (serverless-offline's Lambda API runs an Event invoke at once,
 * never throttles and never retries), so it is written here. The order and the rules are AWS's; the
 * delays are given in milliseconds by the caller, scaled down so a scenario runs in seconds.
 */

export interface AsyncInvokeTiming {
  /** First throttle backoff (AWS: about 1 s), doubled per throttle up to `throttleBackoffMaxMs`. */
  throttleBackoffMs: number;
  /** Longest throttle backoff (AWS: 5 min). */
  throttleBackoffMaxMs: number;
  /** Wait before each error retry (AWS: 1 min, then 2 min): `[first, second]`. */
  retryDelaysMs: [number, number];
}

export interface EmulatedAsyncLambdaOptions<E> {
  /** The function's handler: resolves on success, rejects on a function error. */
  handler: (event: E) => Promise<unknown>;
  /** Reserved concurrency: invocations beyond it are throttled. 0 throttles every invocation. */
  reservedConcurrency: number;
  /** `MaximumEventAgeInSeconds`, in ms of the emulation. */
  maximumEventAgeMs: number;
  /** `MaximumRetryAttempts` (0 to 2). */
  maximumRetryAttempts: number;
  /** The function's timeout: an invocation still running then counts as a function error, as on AWS. */
  timeoutMs: number;
  timing: AsyncInvokeTiming;
}

/** What the on-failure destination receives (the fields syncbell's redrive reads). */
export interface DeadLetter<E> {
  requestPayload: E;
  condition: 'RetriesExhausted' | 'EventAgeExceeded';
  approximateInvokeCount: number;
}

interface QueuedEvent<E> {
  payload: E;
  acceptedAtMs: number;
  invokeCount: number;
  errors: number;
  throttles: number;
}

export class EmulatedAsyncLambda<E> {
  readonly deadLetters: DeadLetter<E>[] = [];
  readonly stats = {
    accepted: 0,
    throttled: 0,
    invocations: 0,
    errors: 0,
    succeeded: 0,
    deadLettered: 0,
    /** Dead-lettered as `EventAgeExceeded`. */
    agedOut: 0,
    redriven: 0,
  };
  #reservedConcurrency: number;
  #running = 0;
  #pending = 0;
  #maxRunning = 0;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #options: EmulatedAsyncLambdaOptions<E>;

  constructor(options: EmulatedAsyncLambdaOptions<E>) {
    this.#options = options;
    this.#reservedConcurrency = options.reservedConcurrency;
  }

  /** `Invoke` with `InvocationType: Event`: queues the event and answers 202 at once. */
  invoke(payload: E): { statusCode: 202 } {
    this.stats.accepted++;
    this.#pending++;
    this.#attempt({ payload, acceptedAtMs: Date.now(), invokeCount: 0, errors: 0, throttles: 0 });
    return { statusCode: 202 };
  }

  /** `PutFunctionConcurrency`: 0 throttles every invocation until raised again. */
  setReservedConcurrency(value: number): void {
    this.#reservedConcurrency = value;
  }

  /** Events accepted and not yet delivered or dead-lettered. */
  get pending(): number {
    return this.#pending;
  }

  /** The most invocations that ran at once (never above the reserved concurrency). */
  get maxConcurrent(): number {
    return this.#maxRunning;
  }

  /**
   * The documented redrive: every dead letter's `requestPayload` invoked again, asynchronously
   * (the function must be idempotent; notify is, per jobId). Returns how many were redriven.
   */
  redrive(): number {
    const letters = this.deadLetters.splice(0);
    for (const letter of letters) this.invoke(letter.requestPayload);
    this.stats.redriven += letters.length;
    return letters.length;
  }

  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
  }

  #withTimeout(payload: E): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Task timed out')), this.#options.timeoutMs);
    });
    return Promise.race([this.#options.handler(payload), timedOut]).finally(() => clearTimeout(timer));
  }

  #deadLetter(event: QueuedEvent<E>, condition: DeadLetter<E>['condition']): void {
    this.deadLetters.push({
      requestPayload: event.payload,
      condition,
      approximateInvokeCount: event.invokeCount,
    });
    this.stats.deadLettered++;
    if (condition === 'EventAgeExceeded') this.stats.agedOut++;
    this.#pending--;
  }

  #attempt(event: QueuedEvent<E>): void {
    if (Date.now() - event.acceptedAtMs > this.#options.maximumEventAgeMs) {
      this.#deadLetter(event, 'EventAgeExceeded');
      return;
    }
    if (this.#running >= this.#reservedConcurrency) {
      // Throttled: back to the queue, retried with a growing backoff until the event is too old.
      this.stats.throttled++;
      const { throttleBackoffMs, throttleBackoffMaxMs } = this.#options.timing;
      const backoff = Math.min(throttleBackoffMaxMs, throttleBackoffMs * 2 ** event.throttles);
      event.throttles++;
      this.#later(backoff, () => this.#attempt(event));
      return;
    }
    this.#running++;
    this.#maxRunning = Math.max(this.#maxRunning, this.#running);
    event.invokeCount++;
    this.stats.invocations++;
    this.#withTimeout(event.payload).then(
      () => {
        this.#running--;
        this.stats.succeeded++;
        this.#pending--;
      },
      () => {
        this.#running--;
        this.stats.errors++;
        event.errors++;
        if (event.errors > this.#options.maximumRetryAttempts) {
          this.#deadLetter(event, 'RetriesExhausted');
          return;
        }
        const delays = this.#options.timing.retryDelaysMs;
        this.#later(delays[Math.min(event.errors - 1, delays.length - 1)] ?? 0, () => this.#attempt(event));
      },
    );
  }
}
