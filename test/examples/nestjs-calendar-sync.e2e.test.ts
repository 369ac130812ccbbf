import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CalendarSyncLocal, startCalendarSyncLocal } from '../../examples/local/nestjs-calendar-sync.js';
import { launchChromium } from '../support/browser.js';

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
