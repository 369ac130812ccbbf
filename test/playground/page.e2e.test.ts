import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Playground, startPlayground } from '../../playground/playground.js';
import { launchChromium } from '../support/browser.js';

/** Screenshots land here (git-ignored); CI keeps them as artifacts. */
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

let playground: Playground;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  playground = await startPlayground({ replaceKilledAfterSeconds: 60 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await playground?.stop();
});

const panel = (name: 'ecs' | 'apigw') => page.getByTestId(`panel-${name}`);

it('shows both variants delivering, then the ECS panel surviving its container’s death with a replay', async () => {
  expect(playground.apigw, `API Gateway variant failed to start: ${playground.apigwProblem}`).toBeDefined();
  await page.goto(`${playground.pageUrl}?user=e2e-${Date.now().toString(36)}`);
  await expect
    .poll(() => panel('ecs').getByTestId('state').textContent(), { timeout: 20_000 })
    .toBe('connected');
  await expect
    .poll(() => panel('apigw').getByTestId('state').textContent(), { timeout: 20_000 })
    .toBe('connected');

  // One click: a sync on both variants; "sync complete" lands in both panels with a latency.
  await page.getByLabel('takes').fill('0');
  await page.getByRole('button', { name: 'Start calendar sync' }).click();
  for (const name of ['ecs', 'apigw'] as const) {
    const item = panel(name).getByTestId('notification').first();
    await item.waitFor({ timeout: 20_000 });
    expect(await item.textContent()).toMatch(/sync\.complete.*\d+ ms/);
    expect(await item.getAttribute('data-mark')).toBe('live');
  }

  // Kill the container the ECS panel is on; send a notification while it is away.
  const victim = (await panel('ecs').getByTestId('served-by').textContent()) ?? '';
  expect(victim).toMatch(/^ecs-/);
  await panel('ecs').getByTestId('kill').click();
  await expect
    .poll(() => panel('ecs').getByTestId('state').textContent(), { timeout: 10_000 })
    .not.toBe('connected');
  const response = await page.evaluate(async () => {
    const user = new URLSearchParams(location.search).get('user') ?? '';
    const { token } = (await (await fetch(`/api/token?user=${user}`)).json()) as { token: string };
    const r = await fetch('/api/jobs/ecs', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ durationMs: 0 }),
    });
    return { status: r.status, body: (await r.json()) as { jobId: string } };
  });
  expect(response.status).toBe(202);
  await expect
    .poll(() => panel('ecs').getByTestId('state').textContent(), { timeout: 20_000 })
    .toBe('connected');
  const meanwhile = panel('ecs').locator(`[data-job-id="${response.body.jobId}"]`);
  await meanwhile.waitFor({ timeout: 20_000 });
  // Published while the panel had no connection: it can only have come through the replay.
  const stateLog = await panel('ecs').getByTestId('served-by').textContent();
  expect(stateLog).not.toBe(victim);
  expect(await meanwhile.getAttribute('data-mark')).toBe('replayed');

  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}playground.png`, fullPage: true });
}, 120_000);

it('says in words when the token is bad', async () => {
  const tab = await browser.newPage();
  await tab.goto(`${playground.pageUrl}?user=mallory&badtoken=1`);
  await expect
    .poll(() => tab.getByTestId('panel-ecs').getByTestId('error').textContent(), { timeout: 20_000 })
    .toMatch(/Bad token/);
  await tab.close();
});

it('`syncbell smoke` delivers through both running variants, cross-container for ECS', async () => {
  const { smokeOne } = await import('../../playground/smoke.js');
  const { apigwTransport } = await import('../../shared/client/apigw.js');
  const { socketIoTransport } = await import('../../shared/client/socketio.js');
  const { resolveJwtSecret, signToken } = await import('../../shared/server/auth/index.js');
  const token = await signToken({ userId: `smoke-${Date.now().toString(36)}`, key: resolveJwtSecret().key });
  // The first test killed a container; bring it back, as ECS would have.
  for (const container of playground.ecs.containers()) await playground.ecs.startContainer(container.id);
  const ecs = await smokeOne(
    {
      variant: 'ecs',
      transport: socketIoTransport(),
      url: playground.ecs.url,
      jobsUrl: playground.ecs.url,
      crossContainer: true,
    },
    token,
    20_000,
  );
  expect(ecs).toMatchObject({ delivered: true });
  expect(ecs.publishedFrom).not.toBe(ecs.servedBy);
  const apigw = playground.apigw;
  if (!apigw) throw new Error('API Gateway variant is not running');
  const emulated = await smokeOne(
    {
      variant: 'apigw',
      transport: apigwTransport(),
      url: apigw.wsUrl,
      jobsUrl: apigw.httpUrl,
      crossContainer: false,
    },
    token,
    20_000,
  );
  expect(emulated).toMatchObject({ delivered: true });
  expect(emulated.latencyMs).toBeGreaterThanOrEqual(0);
});
