import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, stopChild } from '../../dev-tools/index.js';
import { CALENDAR_SYNC_QUEUE } from '../../examples/nestjs-calendar-sync/src/calendar-sync.queue.js';
import { resolveJwtSecret, signToken } from '@syncbell/server';
import {
  dockerIgnores,
  find,
  healthcheckCommand,
  itFollowsTheImageRules,
  parseDockerfile,
  runBuildStage,
  startWithoutJwtSecret,
} from '../support/dockerfile.js';

// No Docker engine here: see test/support/dockerfile.ts for how the image is checked instead.
const DOCKERFILE = 'examples/nestjs-calendar-sync/Dockerfile';
const COMMAND = ['node', '--enable-source-maps', 'dist/main.mjs'];
const parsed = parseDockerfile(DOCKERFILE);
const JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe(`${DOCKERFILE}, statically`, () => {
  itFollowsTheImageRules(parsed, { cmd: COMMAND, healthPath: '/healthz', expose: '3000' });

  it('is the web role unless ROLE says worker', () => {
    expect(find(parsed.runtime, 'ENV').at(-1)?.args.split(/\s+/)).toContain('ROLE=web');
  });

  it('brings its own ignore file, so the root .dockerignore stays ecs-socketio’s', () => {
    const root = parseDockerfile('ecs-socketio/Dockerfile').ignoreRules;
    expect(dockerIgnores(root, 'nestjs/src/index.ts')).toBe(true);
    expect(dockerIgnores(parsed.ignoreRules, 'nestjs/src/index.ts')).toBe(false);
    expect(dockerIgnores(parsed.ignoreRules, 'examples/nestjs-calendar-sync/src/main.ts')).toBe(false);
    expect(dockerIgnores(parsed.ignoreRules, 'nestjs/node_modules/x/index.js')).toBe(true);
  });
});

/** The image's CMD from the runtime stage's `/app`: `dist` copied alone, no node_modules above it. */
function start(appDir: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, COMMAND.slice(1), {
    cwd: appDir,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', JWT_SECRET, REDIS_URL, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
}

/** main.ts says `ready` over IPC once listening (web) or taking jobs (worker). */
function ready(child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('message', (message: { type?: string }) => {
      if (message.type === 'ready') resolve();
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before ready\n${stderr}`)));
  });
}

describe(`${DOCKERFILE}'s build`, () => {
  let context: string;
  let appDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    context = await runBuildStage(parsed);
    // The runtime stage's `COPY --from=build /app/dist ./dist`.
    appDir = mkdtempSync(join(tmpdir(), 'syncbell-nest-image-'));
    cpSync(join(context, 'dist'), join(appDir, 'dist'), { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await Promise.all(children.map((child) => stopChild(child)));
    if (context) rmSync(context, { recursive: true, force: true });
    if (appDir) rmSync(appDir, { recursive: true, force: true });
  });

  it('produces the server bundle and the page beside it', () => {
    for (const file of ['main.mjs', 'web/index.html', 'web/app.js'])
      expect(existsSync(join(appDir, 'dist', file)), file).toBe(true);
  });

  it('refuses to start in production without JWT_SECRET', async () => {
    const result = await startWithoutJwtSecret(appDir, COMMAND.slice(1), { REDIS_URL });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('JWT_SECRET');
  });

  it('serves /healthz to the HEALTHCHECK, the prebuilt page script, and runs the job on the worker role', async () => {
    const port = await freePort();
    const web = start(appDir, { PORT: String(port), INSTANCE_ID: 'web-image' });
    const worker = start(appDir, { ROLE: 'worker', INSTANCE_ID: 'worker-image', SYNC_DURATION_MS: '50' });
    children.push(web, worker);
    await Promise.all([ready(web), ready(worker)]);

    // The HEALTHCHECK's own command, run as Docker would (exec form), for each role.
    const [node, ...args] = healthcheckCommand(parsed);
    expect(node).toBe('node');
    for (const env of [{ PORT: String(port) }, { ROLE: 'worker' }])
      await promisify(execFile)(process.execPath, args, {
        env: { PATH: process.env.PATH, ...env },
        timeout: 10_000,
      });

    const script = await fetch(`http://127.0.0.1:${port}/app.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('/syncbell');
    // JWT_SECRET is set, as in production: no development token route.
    expect((await fetch(`http://127.0.0.1:${port}/dev-token?user=alice`)).status).toBe(404);

    const token = await signToken({ userId: 'image-user', key: resolveJwtSecret({ JWT_SECRET }).key });
    const answer = await fetch(`http://127.0.0.1:${port}/calendar-sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(202);
    const { jobId } = (await answer.json()) as { jobId: string };
    // The job's state is read, not waited for with QueueEvents: a 50 ms job can finish after
    // waitUntilFinished's own check and before QueueEvents' first XREAD from '$', and its event is
    // then never seen (a CI run timed out so after 30 s).
    const queue = new Queue(CALENDAR_SYNC_QUEUE, { connection: { url: REDIS_URL } });
    try {
      await vi.waitFor(async () => expect(await queue.getJobState(jobId)).toBe('completed'), {
        timeout: 30_000,
        interval: 50,
      });
    } finally {
      await queue.close();
    }

    // SIGTERM (what tini forwards): Nest's shutdown hooks close the server and Redis, then exit.
    await Promise.all([stopChild(web, 'SIGTERM'), stopChild(worker, 'SIGTERM')]);
    for (const { exitCode, signalCode } of [web, worker])
      expect(exitCode === 0 || signalCode === 'SIGTERM').toBe(true);
    children.length = 0;
  }, 180_000);
});
