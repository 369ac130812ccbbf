import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../infra/lib/paths.js';
import { SERVER_COMMAND, SOCKETIO_DOCKERFILE, WORKER_COMMAND } from '../../infra/lib/socketio-image.js';

/**
 * There is no Docker engine here, so the image is never built in CI. Instead: the Dockerfile is
 * checked statically, and its bundling step (the one part that can break with the code) is run
 * for real, and the bundle started outside the repository, where no node_modules can help it.
 */

interface Instruction {
  keyword: string;
  args: string;
}

function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** Splits a shell command line into words (double and single quotes; enough for one RUN). */
function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const match of command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
    words.push(match[1] ?? match[2] ?? match[3] ?? '');
  }
  return words;
}

const dockerfile = readFileSync(repoPath(SOCKETIO_DOCKERFILE), 'utf8');
const steps = instructions(dockerfile);
const stages = steps.reduce<Instruction[][]>((acc, step) => {
  if (step.keyword === 'FROM') acc.push([]);
  acc.at(-1)?.push(step);
  return acc;
}, []);
const runtime = stages.at(-1) ?? [];
const find = (stage: Instruction[], keyword: string) => stage.filter((s) => s.keyword === keyword);

describe('ecs-socketio/Dockerfile, statically', () => {
  it('builds in one stage and runs from a second, on Node 22', () => {
    expect(stages).toHaveLength(2);
    expect(dockerfile).toMatch(/ARG NODE_IMAGE=node:22-[a-z]+-slim/);
    expect(find(runtime, 'COPY').every((c) => c.args.includes('--from=build'))).toBe(true);
  });

  it('runs as the unprivileged node user', () => {
    expect(find(runtime, 'USER').at(-1)?.args).toBe('node');
  });

  it('starts under tini so SIGTERM reaches node and the drain runs', () => {
    expect(JSON.parse(find(runtime, 'ENTRYPOINT').at(-1)?.args ?? '[]')).toEqual(['/usr/bin/tini', '--']);
    expect(find(runtime, 'RUN').some((r) => r.args.includes('install') && r.args.includes('tini'))).toBe(
      true,
    );
  });

  it('defaults to the server command the task definition uses, and has a health check', () => {
    expect(JSON.parse(find(runtime, 'CMD').at(-1)?.args ?? '[]')).toEqual(SERVER_COMMAND);
    expect(find(runtime, 'HEALTHCHECK').at(-1)?.args).toContain('/healthz');
  });

  it('copies only what the root .dockerignore lets into the build context', () => {
    const allowed = readFileSync(repoPath('.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    const sources = (stages[0] ?? [])
      .filter((s) => s.keyword === 'COPY')
      .flatMap((s) => s.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(allowed, source).toContain(source.replace(/\/$/, ''));
      expect(existsSync(repoPath(source)), source).toBe(true);
    }
  });
});

const entryPoints = ['ecs-socketio/src/main.ts', 'ecs-socketio/src/worker-main.ts'];
const missingEntries = entryPoints.filter((entry) => !existsSync(repoPath(entry)));

describe.skipIf(missingEntries.length > 0)(
  `ecs-socketio/Dockerfile's bundle${missingEntries.length > 0 ? ` (SKIPPED: missing ${missingEntries.join(', ')})` : ''}`,
  () => {
    let outDir: string;
    let server: ChildProcess | undefined;

    beforeAll(async () => {
      outDir = mkdtempSync(join(tmpdir(), 'syncbell-image-'));
      const run = find(stages[0] ?? [], 'RUN').find((r) => r.args.startsWith('npx esbuild'));
      expect(run, 'the build stage bundles with esbuild').toBeDefined();
      const args = shellWords(run?.args ?? '')
        .slice(2)
        .map((arg) => (arg === '--outdir=dist' ? `--outdir=${outDir}` : arg));
      expect(args).toContain(`--outdir=${outDir}`);
      await promisify(execFile)(repoPath('node_modules/.bin/esbuild'), [...args, '--log-level=warning'], {
        cwd: repoPath('.'),
        timeout: 60_000,
      });
    }, 90_000);

    afterAll(() => {
      server?.kill('SIGKILL');
      rmSync(outDir, { recursive: true, force: true });
    });

    it('produces the two files the task definitions run', () => {
      for (const command of [SERVER_COMMAND, WORKER_COMMAND]) {
        expect(existsSync(join(outDir, (command.at(-1) as string).replace(/^dist\//, '')))).toBe(true);
      }
    });

    it('refuses to start in production without JWT_SECRET, from a directory with no node_modules', async () => {
      const result = await promisify(execFile)(process.execPath, ['server.mjs'], {
        cwd: outDir,
        env: { PATH: process.env.PATH, NODE_ENV: 'production' },
        timeout: 20_000,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('JWT_SECRET');
    });

    it('serves /healthz to the image HEALTHCHECK command, metrics on their own port, and exits on SIGTERM', async () => {
      server = spawn(process.execPath, ['server.mjs'], {
        cwd: outDir,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          PORT: '0',
          METRICS_PORT: '0',
          JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
          REDIS_URL: 'redis://127.0.0.1:6379',
          DRAIN_TIMEOUT_MS: '500',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      const child = server;
      const { port, metricsPort } = await new Promise<{ port: number; metricsPort: number }>(
        (resolve, reject) => {
          child.on('message', (message: { type?: string; port?: number; metricsPort?: number }) => {
            if (message.type === 'listening' && typeof message.port === 'number')
              resolve({ port: message.port, metricsPort: message.metricsPort as number });
          });
          child.on('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
        },
      );
      // Metrics on their own port (METRICS_PORT), not on the one the load balancer forwards.
      expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);

      // The HEALTHCHECK's own command, run as Docker would (exec form), against this port.
      const healthcheck = find(runtime, 'HEALTHCHECK').at(-1)?.args ?? '';
      const exec = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim()) as string[];
      expect(exec[0]).toBe('node');
      await promisify(execFile)(process.execPath, exec.slice(1), {
        env: { PATH: process.env.PATH, PORT: String(port) },
        timeout: 10_000,
      });

      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      server = undefined;
    });
  },
);
