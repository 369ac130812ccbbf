/**
 * The publish path alone (issue 16, section 3): from the publish call to a Redis subscriber's
 * receipt, syncbell's socket.io publisher (one script: the replay log's XADD, then the PUBLISH)
 * against `@socket.io/redis-emitter` (a bare PUBLISH, as plain socket.io publishes), one
 * notification at a time, alternating between the two so the machine's load hits both alike. No
 * socket.io server and no client: what is left of an end-to-end gap is the containers' and the
 * clients' share. Machine-dependent: read the difference, not the microseconds.
 *
 *   npx tsx benchmarks/publish-path.ts [notifications=6000] [redis-url=redis://127.0.0.1:6379]
 */
import { Emitter } from '@socket.io/redis-emitter';
import { build } from 'hdr-histogram-js';
import { Redis } from 'ioredis';
import { ADAPTER_KEY } from '../ecs-socketio/src/adapter.js';
import { createSocketIoPublisher } from '../ecs-socketio/src/socketio-publisher.js';
import { SocketEvent } from '../shared/contract/index.js';
import { benchNotification } from './payload.js';
import { PLAIN_SOCKETIO_KEY, plainUserRoom } from './servers/common.js';

const count = Number(process.argv[2] ?? 6000);
const url = process.argv[3] ?? 'redis://127.0.0.1:6379';
const warmup = Math.min(1000, Math.floor(count / 5));

const syncbellRedis = new Redis(url, { enableAutoPipelining: true, maxRetriesPerRequest: null });
const plainRedis = new Redis(url, { enableAutoPipelining: true, maxRetriesPerRequest: null });
const subscriber = new Redis(url);
const publisher = createSocketIoPublisher({ redis: syncbellRedis });
const emitter = new Emitter(plainRedis, { key: PLAIN_SOCKETIO_KEY });

let arrived: (() => void) | undefined;
await subscriber.psubscribe(`${ADAPTER_KEY}#*`, `${PLAIN_SOCKETIO_KEY}#*`);
subscriber.on('pmessageBuffer', () => {
  const resolve = arrived;
  arrived = undefined;
  resolve?.();
});

const histograms = { syncbell: build(), emitter: build() };
for (let i = 0; i < count; i++) {
  const which = i % 2 === 0 ? 'syncbell' : 'emitter';
  const notification = benchNotification(`publish-path-${i % 100}`, i);
  const received = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const startNs = process.hrtime.bigint();
  if (which === 'syncbell') void publisher.publishEnvelope(notification);
  else emitter.to(plainUserRoom(notification.userId)).emit(SocketEvent.Notification, notification);
  await received;
  if (i >= warmup) histograms[which].recordValue(Number(process.hrtime.bigint() - startNs) / 1000);
}
for (const [name, h] of Object.entries(histograms))
  process.stdout.write(
    `${name.padEnd(8)} p50 ${h.getValueAtPercentile(50)} us  p99 ${h.getValueAtPercentile(99)} us  (${h.totalCount} notifications)\n`,
  );
const gap = histograms.syncbell.getValueAtPercentile(50) - histograms.emitter.getValueAtPercentile(50);
process.stdout.write(`syncbell's publish path adds ${gap} us at the median\n`);
await Promise.all([syncbellRedis.quit(), plainRedis.quit(), subscriber.quit()]);
