/**
 * One extra local load-balancer process. A proxied connection holds two files and a process here
 * may hold at most 20,000, so 10,000 connections need the ALB stand-in spread over processes (a
 * real ALB is several nodes too). Targets come in `BENCH_LB_TARGETS` as JSON.
 */
import { z } from 'zod';
import { startLoadBalancer } from '../../ecs-socketio/local/load-balancer.js';

const targetsSchema = z.array(z.object({ id: z.string(), url: z.string().url() })).min(1);

const balancer = await startLoadBalancer({
  targets: targetsSchema.parse(JSON.parse(process.env.BENCH_LB_TARGETS ?? '[]')),
  idleTimeoutMs: Number(process.env.BENCH_LB_IDLE_TIMEOUT_MS ?? 60_000),
  sticky: process.env.BENCH_LB_STICKY === 'true',
});
process.send?.({ type: 'listening', url: balancer.url });
process.on('disconnect', () => process.exit(0));
