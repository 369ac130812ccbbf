import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CalendarSyncLocal, startCalendarSyncLocal } from '../../examples/local/nestjs-calendar-sync.js';
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
    // The tab leaves (its page unloads) before the sync can finish, and comes back after.
    await page.goto('about:blank');
    await witness.waitFor(
      () => witness.received.some(({ notification }) => notification.jobId === jobId),
      `the witness to receive ${jobId}`,
      20_000,
    );
    await page.goto(`${local.url}/?user=${user}`);
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 20_000 })
      .toBe('sync complete');
    expect(await page.getByTestId('detail').textContent()).toMatch(/replayed after a reload or reconnect$/);
  } finally {
    witness.close();
    await page.close();
  }
});
