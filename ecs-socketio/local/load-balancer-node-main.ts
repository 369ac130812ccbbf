/**
 * One node of the ALB stand-in as its own process (`startLoadBalancerNode`). A tunnelled
 * connection holds two files and a process may hold at most 20,000, so 10,000 clients need the
 * stand-in spread over processes, as a real ALB is several nodes. The node is told of
 * registrations and deregistrations over IPC, as every ALB node learns of the target group's.
 */
import { z } from 'zod';
import pWaitFor from 'p-wait-for';
import { startLoadBalancer } from './load-balancer.js';

const optionsSchema = z.object({
  targets: z.array(z.object({ id: z.string(), url: z.string().url() })).min(1),
  idleTimeoutMs: z.number().positive().optional(),
  sticky: z.boolean().optional(),
  healthCheckIntervalMs: z.number().positive().optional(),
  healthCheckTimeoutMs: z.number().positive().optional(),
  unhealthyThresholdCount: z.number().int().positive().optional(),
  deregistrationDelayMs: z.number().nonnegative().optional(),
});
export type LoadBalancerNodeOptions = z.input<typeof optionsSchema>;

export const nodeCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('register'), requestId: z.number(), id: z.string(), url: z.string().url() }),
  z.object({ type: z.literal('deregister'), requestId: z.number(), id: z.string() }),
]);
export type NodeCommand = z.input<typeof nodeCommandSchema>;

const balancer = await startLoadBalancer(
  optionsSchema.parse(JSON.parse(process.env.SYNCBELL_LB_NODE ?? '{}')),
);
const reply = (requestId: number, answer: Record<string, unknown>) =>
  process.send?.({ type: 'done', requestId, ...answer });

process.on('message', (raw: unknown) => {
  const command = nodeCommandSchema.parse(raw);
  const done =
    command.type === 'register'
      ? (async () => {
          balancer.register(command.id, command.url);
          // In service on this node once its own health check has passed.
          await pWaitFor(() => balancer.healthyTargets().includes(command.id), {
            interval: 50,
            timeout: 15_000,
          });
          return {};
        })()
      : balancer.deregister(command.id).then((result) => ({ result }));
  done.then(
    (answer) => reply(command.requestId, answer),
    (error: unknown) =>
      reply(command.requestId, { error: error instanceof Error ? error.message : String(error) }),
  );
});
process.send?.({ type: 'listening', url: balancer.url });
process.on('disconnect', () => process.exit(0));
