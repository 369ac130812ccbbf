import pWaitFor from 'p-wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatedAsyncLambda } from '../../../chaos/apigw/async-invoke.js';

const timing = { throttleBackoffMs: 5, throttleBackoffMaxMs: 20, retryDelaysMs: [5, 10] as [number, number] };
const lambdas: EmulatedAsyncLambda<number>[] = [];

function lambda(
  handler: (event: number) => Promise<unknown>,
  options: {
    reservedConcurrency?: number;
    maximumEventAgeMs?: number;
    maximumRetryAttempts?: number;
    timeoutMs?: number;
  } = {},
): EmulatedAsyncLambda<number> {
  const created = new EmulatedAsyncLambda<number>({
    handler,
    reservedConcurrency: options.reservedConcurrency ?? 2,
    maximumEventAgeMs: options.maximumEventAgeMs ?? 60_000,
    maximumRetryAttempts: options.maximumRetryAttempts ?? 2,
    timeoutMs: options.timeoutMs ?? 60_000,
    timing,
  });
  lambdas.push(created);
  return created;
}

afterEach(() => {
  for (const created of lambdas.splice(0)) created.close();
});

describe('the emulated asynchronous Lambda invocation', () => {
  it('answers 202 at once and runs every event, never above its reserved concurrency', async () => {
    const done: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fn = lambda(async (event) => {
      await gate;
      done.push(event);
    });

    const answers = Array.from({ length: 6 }, (_, i) => fn.invoke(i));
    await pWaitFor(() => fn.stats.throttled > 0);
    release();
    await pWaitFor(() => fn.pending === 0);

    expect(answers.every((a) => a.statusCode === 202)).toBe(true);
    expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(fn.maxConcurrent).toBe(2);
  });

  it('keeps throttled events while concurrency is 0 and delivers them once it is raised', async () => {
    const done: number[] = [];
    const fn = lambda(async (event) => {
      done.push(event);
    });
    fn.setReservedConcurrency(0);

    fn.invoke(1);
    fn.invoke(2);
    await pWaitFor(() => fn.stats.throttled >= 4);
    expect(done).toEqual([]);
    fn.setReservedConcurrency(1);
    await pWaitFor(() => fn.pending === 0);

    expect(done.sort()).toEqual([1, 2]);
    expect(fn.deadLetters).toEqual([]);
  });

  it('sends an event that outlives its maximum age to the on-failure destination, and the redrive delivers it', async () => {
    const done: number[] = [];
    const fn = lambda(
      async (event) => {
        done.push(event);
      },
      { maximumEventAgeMs: 30 },
    );
    fn.setReservedConcurrency(0);

    fn.invoke(7);
    await pWaitFor(() => fn.pending === 0);
    expect(fn.deadLetters).toEqual([
      { requestPayload: 7, condition: 'EventAgeExceeded', approximateInvokeCount: 0 },
    ]);
    fn.setReservedConcurrency(1);
    expect(fn.redrive()).toBe(1);
    await pWaitFor(() => fn.pending === 0);

    expect(done).toEqual([7]);
    expect(fn.deadLetters).toEqual([]);
  });

  it('retries a failing event exactly MaximumRetryAttempts times, then dead-letters it', async () => {
    let calls = 0;
    const fn = lambda(
      async () => {
        calls++;
        throw new Error('function error');
      },
      { maximumRetryAttempts: 2 },
    );

    fn.invoke(3);
    await pWaitFor(() => fn.pending === 0);

    expect(calls).toBe(3);
    expect(fn.deadLetters).toEqual([
      { requestPayload: 3, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    ]);
  });

  it('counts an invocation that outruns the timeout as a function error and retries it', async () => {
    let calls = 0;
    const fn = lambda(
      (): Promise<unknown> => {
        calls++;
        // The first invocation never answers (a hung call); the retry does.
        return calls === 1 ? new Promise(() => {}) : Promise.resolve();
      },
      { timeoutMs: 20 },
    );

    fn.invoke(5);
    await pWaitFor(() => fn.pending === 0);

    expect(calls).toBe(2);
    expect(fn.stats.errors).toBe(1);
    expect(fn.deadLetters).toEqual([]);
  });

  it('delivers an event whose retry succeeds, without a dead letter', async () => {
    let calls = 0;
    const fn = lambda(async () => {
      calls++;
      if (calls === 1) throw new Error('first attempt fails');
    });

    fn.invoke(4);
    await pWaitFor(() => fn.pending === 0);

    expect(calls).toBe(2);
    expect(fn.stats.succeeded).toBe(1);
    expect(fn.deadLetters).toEqual([]);
  });
});
