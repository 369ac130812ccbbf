import { type LoadBalancer, startLoadBalancer } from '../ecs-socketio/local/load-balancer.js';
import { type EcsLocalStack, startEcsLocal } from '../ecs-socketio/local/stack.js';
import { startPageServer, type PageServer } from './page-server.js';

export interface PlaygroundOptions {
  /** @default 2 */
  containers?: number;
  /** Load balancer port. @default 0 (free) */
  lbPort?: number;
  /** Page port. @default 0 (free) */
  pagePort?: number;
  /** @default 60000 */
  idleTimeoutMs?: number;
  /** @default false */
  sticky?: boolean;
  /** @default false */
  polling?: boolean;
  /** Start the API Gateway variant. @default true */
  apigw?: boolean;
  /** Spawn a private redis-server so the page can restart it. @default false */
  ownRedis?: boolean;
  /** Spawn a private Redis Cluster and run the containers on it (see `startEcsLocal`). @default false */
  redisCluster?: boolean;
  /** Seconds before a killed container is started again, as ECS replaces a task. @default 5 */
  replaceKilledAfterSeconds?: number;
  log?: (line: string) => void;
}

export interface ApigwEndpoints {
  /** Through the local network proxy (so the page can drop it), as clients should use it. */
  wsUrl: string;
  /** serverless-offline itself. */
  directWsUrl: string;
  httpUrl: string;
}

export interface Playground {
  pageUrl: string;
  ecs: EcsLocalStack;
  apigw: ApigwEndpoints | undefined;
  /** Why the API Gateway variant is not running, when it is not. */
  apigwProblem: string | undefined;
  stop(): Promise<void>;
}

/** Everything `npm start` runs, as one object: the two variants, the proxies and the page. */
export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const log = options.log ?? (() => {});
  const ecs = await startEcsLocal({
    containers: options.containers ?? 2,
    lbPort: options.lbPort ?? 0,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    sticky: options.sticky ?? false,
    allowPolling: options.polling ?? false,
    ownRedis: options.ownRedis ?? false,
    redisCluster: options.redisCluster ?? false,
    log,
  });
  const stops: (() => Promise<void>)[] = [() => ecs.stop()];
  let apigw: ApigwEndpoints | undefined;
  let apigwProblem: string | undefined;
  let apigwProxy: LoadBalancer | undefined;
  try {
    if (options.apigw ?? true) {
      const { startApigwLocal } = await import('../apigw-websocket/local/stack.js');
      const started = await startApigwLocal({ log });
      stops.unshift(() => started.stop());
      // API Gateway is not behind our ALB stand-in, but the page's "drop my network" needs a
      // hop it can blackhole: a one-target proxy with API Gateway's 10-minute idle timeout.
      apigwProxy = await startLoadBalancer({
        targets: [{ id: 'apigw', url: started.wsUrl.replace(/^ws/, 'http') }],
        idleTimeoutMs: 600_000,
        healthCheckPath: false,
      });
      const proxy = apigwProxy;
      stops.unshift(() => proxy.close());
      apigw = {
        wsUrl: proxy.url.replace(/^http/, 'ws'),
        directWsUrl: started.wsUrl,
        httpUrl: started.httpUrl,
      };
    } else apigwProblem = 'not started (--no-apigw)';
  } catch (error) {
    apigwProblem = (error as Error).message;
    log(`notice: the API Gateway variant did not start: ${apigwProblem}`);
  }
  let page: PageServer;
  try {
    page = await startPageServer({
      port: options.pagePort ?? 0,
      ecs,
      apigw,
      apigwProblem,
      proxies: [ecs.lb, ...(apigwProxy ? [apigwProxy] : [])],
      replaceKilledAfterSeconds: options.replaceKilledAfterSeconds ?? 5,
      log,
    });
  } catch (error) {
    await Promise.allSettled(stops.map((stop) => stop()));
    throw error;
  }
  stops.unshift(() => page.close());
  return {
    pageUrl: page.url,
    ecs,
    apigw,
    apigwProblem,
    async stop() {
      for (const stop of stops) await stop().catch(() => undefined);
    },
  };
}
