import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listWorkspaces } from '../../cli/pack.js';
import { repoPath } from '../../infra/lib/paths.js';
import { SERVER_COMMAND, SOCKETIO_DOCKERFILE, WORKER_COMMAND } from '../../infra/lib/socketio-image.js';

/**
 * There is no Docker engine here, so the image is never built in CI. Instead: the Dockerfile is
 * checked statically, its build stage is run for real in a scratch directory (each COPY from the
 * context .dockerignore lets through, in order, then each RUN: the install and the bundling), and
 * the bundle started outside the repository, where no node_modules can help it.
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

/**
 * Whether .dockerignore keeps `path` (relative to the context) out: its rules in order, the last
 * one matching the path or a folder above it wins. Enough of Docker's syntax for this file (`*`,
 * `**`, `!`, trailing `/`); Docker's own matcher is Go code with no npm port.
 */
function dockerIgnores(rules: string[], path: string): boolean {
  let ignored = false;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    const pattern = (negated ? rule.slice(1) : rule).replace(/\/$/, '');
    const source = pattern
      .split('**/')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
      .join('(.*/)?');
    if (new RegExp(`^${source}(/|$)`).test(path)) ignored = !negated;
  }
  return ignored;
}

const ignoreRules = readFileSync(repoPath('.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

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
    const sources = (stages[0] ?? [])
      .filter((s) => s.keyword === 'COPY')
      .flatMap((s) => s.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(dockerIgnores(ignoreRules, source.replace(/\/$/, '')), source).toBe(false);
      expect(existsSync(repoPath(source)), source).toBe(true);
    }
  });

  it("installs with every workspace's package.json in place (npm ci links only the workspaces it finds)", () => {
    const build = stages[0] ?? [];
    const install = build.findIndex((s) => s.keyword === 'RUN' && /\bnpm ci\b/.test(s.args));
    expect(install).toBeGreaterThan(0);
    const copiedBefore = build
      .slice(0, install)
      .filter((s) => s.keyword === 'COPY')
      .flatMap((s) => s.args.split(/\s+/).slice(0, -1));
    for (const { dir } of listWorkspaces()) expect(copiedBefore, dir).toContain(`${dir}/package.json`);
  });
});

/**
 * COPY `source` (relative to the context) to `target` (absolute) as Docker does: a folder's
 * contents into `target`, a file into `target` when it ends with `/`, else as `target`; minus
 * what .dockerignore drops.
 */
function copyFromContext(source: string, target: string): void {
  const folder = statSync(repoPath(source)).isDirectory();
  const files = folder
    ? readdirSync(repoPath(source), { recursive: true, encoding: 'utf8' }).map((file) => join(source, file))
    : [source];
  for (const file of files) {
    if (dockerIgnores(ignoreRules, file) || statSync(repoPath(file)).isDirectory()) continue;
    const destination = folder
      ? join(target, relative(source, file))
      : target.endsWith('/')
        ? join(target, basename(file))
        : target;
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(repoPath(file), destination);
  }
}

const entryPoints = ['ecs-socketio/src/main.ts', 'ecs-socketio/src/worker-main.ts'];
const missingEntries = entryPoints.filter((entry) => !existsSync(repoPath(entry)));

describe.skipIf(missingEntries.length > 0)(
  `ecs-socketio/Dockerfile's bundle${missingEntries.length > 0 ? ` (SKIPPED: missing ${missingEntries.join(', ')})` : ''}`,
  () => {
    let outDir: string;
    let server: ChildProcess | undefined;

    let context: string;

    beforeAll(async () => {
      // WORKDIR /app is this scratch directory; the RUN steps run in it with a shell, offline
      // (npm's cache has what the lockfile names).
      context = mkdtempSync(join(tmpdir(), 'syncbell-image-'));
      for (const step of stages[0] ?? []) {
        if (step.keyword === 'COPY') {
          const words = step.args.split(/\s+/);
          const target = words.at(-1) as string;
          for (const source of words.slice(0, -1)) {
            copyFromContext(source, `${join(context, target)}${target.endsWith('/') ? '/' : ''}`);
          }
        } else if (step.keyword === 'RUN') {
          await promisify(execFile)('sh', ['-c', step.args], {
            cwd: context,
            env: {
              PATH: process.env.PATH,
              HOME: process.env.HOME,
              // The cache `npm ci` filled, wherever this machine keeps it.
              ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
              npm_config_offline: 'true',
            },
            timeout: 120_000,
          }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
            throw new Error(`RUN ${step.args}\n${error.message}\n${error.stdout}\n${error.stderr}`);
          });
        }
      }
      // The runtime stage's `COPY --from=build /app/dist ./dist`: the bundle alone, no node_modules above it.
      outDir = mkdtempSync(join(tmpdir(), 'syncbell-image-dist-'));
      cpSync(join(context, 'dist'), outDir, { recursive: true });
    }, 180_000);

    afterAll(() => {
      server?.kill('SIGKILL');
      rmSync(context, { recursive: true, force: true });
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
