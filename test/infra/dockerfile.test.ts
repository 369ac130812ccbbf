import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopChild } from '../../dev-tools/index.js';
import { repoPath } from '../../infra/lib/paths.js';
import { SERVER_COMMAND, SOCKETIO_DOCKERFILE, WORKER_COMMAND } from '../../infra/lib/socketio-image.js';
import {
  healthcheckCommand,
  itFollowsTheImageRules,
  parseDockerfile,
  runBuildStage,
  startWithoutJwtSecret,
} from '../support/dockerfile.js';

// No Docker engine here: see test/support/dockerfile.ts for how the image is checked instead.
const parsed = parseDockerfile(SOCKETIO_DOCKERFILE);

describe('ecs-socketio/Dockerfile, statically', () => {
  itFollowsTheImageRules(parsed, { cmd: SERVER_COMMAND, healthPath: '/healthz', expose: '3000' });
});

const entryPoints = ['ecs-socketio/container/main.ts', 'ecs-socketio/container/worker-main.ts'];
const missingEntries = entryPoints.filter((entry) => !existsSync(repoPath(entry)));

describe.skipIf(missingEntries.length > 0)(
  `ecs-socketio/Dockerfile's bundle${missingEntries.length > 0 ? ` (SKIPPED: missing ${missingEntries.join(', ')})` : ''}`,
  () => {
    let outDir: string;
    let server: ChildProcess | undefined;

    let context: string;

    beforeAll(async () => {
      context = await runBuildStage(parsed);
      // The runtime stage's `COPY --from=build /app/dist ./dist`: the bundle alone, no node_modules above it.
      outDir = mkdtempSync(join(tmpdir(), 'syncbell-image-dist-'));
      cpSync(join(context, 'dist'), outDir, { recursive: true });
    }, 180_000);

    afterAll(async () => {
      await stopChild(server);
      rmSync(context, { recursive: true, force: true });
      rmSync(outDir, { recursive: true, force: true });
    });

    it('produces the two files the task definitions run', () => {
      for (const command of [SERVER_COMMAND, WORKER_COMMAND]) {
        expect(existsSync(join(outDir, (command.at(-1) as string).replace(/^dist\//, '')))).toBe(true);
      }
    });

    it('refuses to start in production without JWT_SECRET, from a directory with no node_modules', async () => {
      const result = await startWithoutJwtSecret(outDir, ['server.mjs']);
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
      const exec = healthcheckCommand(parsed);
      expect(exec[0]).toBe('node');
      await promisify(execFile)(process.execPath, exec.slice(1), {
        env: { PATH: process.env.PATH, PORT: String(port) },
        timeout: 10_000,
      });

      await stopChild(child, 'SIGTERM');
      expect(child.exitCode).toBe(0);
      server = undefined;
    });
  },
);
