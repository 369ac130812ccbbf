import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { socketIoTransport } from '../shared/client/socketio.js';
import type { SmokeTarget } from './smoke.js';

/**
 * `npm start` writes where everything listens to a small file so `syncbell smoke` (another
 * shell) can find it without guessing ports.
 */
export const ENDPOINTS_FILE =
  process.env.SYNCBELL_ENDPOINTS_FILE ?? join(tmpdir(), 'syncbell', 'playground.json');

export const playgroundEndpointsSchema = z.object({
  pid: z.number(),
  startedAt: z.string(),
  pageUrl: z.string().optional(),
  ecs: z.object({
    url: z.string(),
    redisMode: z.string(),
    containers: z.array(z.object({ id: z.string(), url: z.string() })),
  }),
  apigw: z.object({ wsUrl: z.string(), httpUrl: z.string() }).optional(),
});
export type PlaygroundEndpoints = z.infer<typeof playgroundEndpointsSchema>;

export async function writePlaygroundEndpoints(endpoints: PlaygroundEndpoints): Promise<void> {
  await mkdir(join(ENDPOINTS_FILE, '..'), { recursive: true });
  await writeFile(ENDPOINTS_FILE, `${JSON.stringify(endpoints, null, 2)}\n`);
}

export async function removePlaygroundEndpoints(): Promise<void> {
  await rm(ENDPOINTS_FILE, { force: true });
}

export async function readPlaygroundEndpoints(): Promise<
  PlaygroundEndpoints & { smokeTargets(): Promise<SmokeTarget[]> }
> {
  let text: string;
  try {
    text = await readFile(ENDPOINTS_FILE, 'utf8');
  } catch {
    throw new Error(
      `no playground is running (no ${ENDPOINTS_FILE}); start one with \`npm start\` in another shell`,
    );
  }
  const endpoints = playgroundEndpointsSchema.parse(JSON.parse(text));
  try {
    process.kill(endpoints.pid, 0);
  } catch {
    throw new Error(
      `the playground that wrote ${ENDPOINTS_FILE} (pid ${endpoints.pid}) is not running; start it with \`npm start\``,
    );
  }
  return {
    ...endpoints,
    async smokeTargets() {
      const targets: SmokeTarget[] = [
        {
          variant: 'ecs-socketio',
          transport: socketIoTransport(),
          url: endpoints.ecs.url,
          jobsUrl: endpoints.ecs.url,
          crossContainer: true,
        },
      ];
      if (endpoints.apigw) {
        const { apigwTransport } = await import('../shared/client/apigw.js');
        targets.push({
          variant: 'apigw-websocket (emulated)',
          transport: apigwTransport(),
          url: endpoints.apigw.wsUrl,
          jobsUrl: endpoints.apigw.httpUrl,
          crossContainer: false,
        });
      }
      return targets;
    },
  };
}
