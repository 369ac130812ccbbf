import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../../dev-tools/index.js';
import { BENCH_MAX_CONNECTIONS_PER_ADDRESS, type Contender } from './contender.js';
import { createHttpPublisher, socketIoClosedTotal, socketIoConnections } from './http-publisher.js';

const entry = fileURLToPath(new URL('../servers/socketio-memory-main.ts', import.meta.url));

/** socket.io, one container, in-memory adapter: tests the seed's "Redis adapter adds negligible overhead". */
export const socketIoMemory: Contender = {
  id: 'socketio-memory',
  label: 'Socket.io, 1 container, in-memory adapter',
  emulated: false,
  baseline: false,
  resume: false,
  multiContainer: false,
  async start(options) {
    const child: ChildProcess = fork(entry, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...(process.env as Record<string, string>),
        ...options.env,
        LOG_LEVEL: 'warn',
        MAX_CONNECTIONS_PER_ADDRESS: String(BENCH_MAX_CONNECTIONS_PER_ADDRESS),
        PING_INTERVAL_MS: String(options.heartbeat.intervalMs),
        PING_TIMEOUT_MS: String(options.heartbeat.timeoutMs),
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    child.stderr?.on('data', (chunk: Buffer) =>
      options.log?.(`[socketio-memory] ${chunk.toString().trim()}`),
    );
    type Listening = { port: number; metricsPort: number; publishPort: number };
    const { port, metricsPort, publishPort } = await new Promise<Listening>((resolve, reject) => {
      child.once('exit', (code) =>
        reject(new Error(`socketio-memory exited during start-up (code ${code})`)),
      );
      child.on('message', (m: Listening & { type?: string }) => m?.type === 'listening' && resolve(m));
    });
    const url = `http://127.0.0.1:${port}`;
    const metricsUrl = `http://127.0.0.1:${metricsPort}`;
    const publisher = createHttpPublisher(`http://127.0.0.1:${publishPort}/publish`);
    return {
      clientKind: 'socketio',
      urls: [url],
      directUrl: url,
      serverPids: () => [child.pid as number],
      serverConnections: () => socketIoConnections([metricsUrl]),
      serverClosedTotal: () => socketIoClosedTotal([metricsUrl]),
      publish: (notification) => publisher.publish(notification),
      async stop() {
        publisher.close();
        // SIGTERM when profiled (`--cpu-prof`), so the profile is written.
        await stopChild(child, options.gracefulStop ? 'SIGTERM' : 'SIGKILL', 15_000);
      },
    };
  },
};
