import { Queue } from 'bullmq';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CalendarSyncLocal, startCalendarSyncLocal } from '../../examples/local/nestjs-calendar-sync.js';
import { CALENDAR_SYNC_QUEUE } from '../../examples/nestjs-calendar-sync/src/calendar-sync.queue.js';
import { socketIoTransport } from '@syncbell/client/socketio';
import { launchChromium } from '../support/browser.js';
import { recordingClient } from '../support/recorder.js';

let local: CalendarSyncLocal;
let browser: Browser;

beforeAll(async () => {
  // Its own Redis: BullMQ's queue keys are shared by every worker on a Redis.
  local = await startCalendarSyncLocal({ ownRedis: true, syncDurationMs: 200 });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await local?.stop();
});

it('shows "sync complete" in the browser for a sync the API accepted and the worker container finished', async () => {
  const page = await browser.newPage();
  await page.goto(`${local.url}/?user=e2e-${Date.now().toString(36)}`);
  await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 20_000 }).toBe('connected');
  await expect.poll(() => page.getByTestId('served-by').textContent()).toMatch(/^web-\d$/);

  await page.getByRole('button', { name: 'Sync my calendar' }).click();

  await expect
    .poll(() => page.getByTestId('status').textContent(), { timeout: 20_000 })
    .toBe('sync complete');
  const detail = page.getByTestId('detail');
  expect(await detail.getAttribute('data-finished-by')).toBe(local.workerId);
  expect(local.webIds).toContain(await detail.getAttribute('data-accepted-by'));
  expect(await detail.textContent()).toMatch(/ms after publish$/);
});

it('shows "sync complete", replayed, on a page loaded again after the sync finished while the tab was away', async () => {
  const user = `e2e-reload-${Date.now().toString(36)}`;
  const page = await browser.newPage();
  // Before each load's own script: the position the SDK will resume from, and every state the
  // page shows, so a failure says which load was handed the notification.
  await page.addInitScript(() => {
    if (location.protocol === 'about:') return; // no storage there, nothing to watch
    const diagnostics = { stored: JSON.stringify({ ...sessionStorage }), states: [] as string[] };
    (window as unknown as { __diagnostics: typeof diagnostics }).__diagnostics = diagnostics;
    new MutationObserver(() => {
      const state = document.querySelector('[data-testid="state"]')?.textContent ?? '';
      if (state !== diagnostics.states.at(-1)) diagnostics.states.push(state);
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  await page.goto(`${local.url}/?user=${user}`);
  await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 20_000 }).toBe('connected');
  // A Node client of the same user tells when the notification is in the user's log.
  const witness = recordingClient({
    transport: socketIoTransport(),
    url: `${local.url}/syncbell`,
    token: async () =>
      ((await (await fetch(`${local.url}/dev-token?user=${user}`)).json()) as { token: string }).token,
  });
  const resumed = witness.nextResume();
  witness.client.connect();
  await resumed;
  // The worker takes no job until the tab has left: without this a loaded machine finished the
  // 200 ms sync before the page unloaded, the old page was handed "sync complete" live (its stored
  // position was the notification's id), and the page loaded again rightly replayed nothing.
  const queue = new Queue(CALENDAR_SYNC_QUEUE, { connection: { url: local.redisUrl } });
  await queue.pause();
  try {
    const jobId = await page.evaluate(async () => {
      const user = new URLSearchParams(location.search).get('user') ?? '';
      const { token } = (await (await fetch(`/dev-token?user=${user}`)).json()) as { token: string };
      const response = await fetch('/calendar-sync', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await response.json()) as { jobId: string }).jobId;
    });
    // The tab leaves (its page unloads) mid-sync; the sync finishes while it is away.
    await page.goto('about:blank');
    await queue.resume();
    await witness.waitFor(
      () => witness.received.some(({ notification }) => notification.jobId === jobId),
      `the witness to receive ${jobId}`,
      20_000,
    );
    const sent = witness.received.find(({ notification }) => notification.jobId === jobId)?.notification;
    await page.goto(`${local.url}/?user=${user}`);
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 20_000 })
      .toBe('sync complete')
      .catch(async (error: Error) => {
        const seen = await page.evaluate(
          () => (window as unknown as { __diagnostics: unknown }).__diagnostics,
        );
        throw new Error(
          `${error.message}\nthe page loaded again never showed ${sent?.id}; its storage at load and states: ${JSON.stringify(seen)}`,
        );
      });
    expect(await page.getByTestId('detail').textContent()).toMatch(/replayed after a reload or reconnect$/);
  } finally {
    await queue.resume();
    await queue.close();
    witness.close();
    await page.close();
  }
});
