import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TargetState } from './load-balancer.js';

export interface ControlPlaneTarget {
  /** The load balancer's target id (`ecs-1`). */
  id: string;
  /** The address the target is registered with (awsvpc: the task's IP) and its port. */
  ip: string;
  port: number;
}

export interface ControlPlaneOptions {
  /** A target's state (the load balancer's `targetState`; `initial` before it exists). */
  targetState(targetId: string): TargetState;
  /** The target group's ARN the stand-in answers for (any other gets `TargetGroupNotFound`). */
  targetGroupArn: string;
  targets: () => ControlPlaneTarget[];
  /** @default 0 (a free port) */
  port?: number;
}

export interface ControlPlane {
  /** Point `ElasticLoadBalancingV2Client`'s `endpoint` here. */
  readonly elbEndpoint: string;
  /** A container's `ECS_CONTAINER_METADATA_URI_V4`. */
  metadataUri(targetId: string): string;
  /** `DescribeTargetHealth` calls answered, per target id asked about (tests). */
  describeCalls(): number;
  close(): Promise<void>;
}

const ELB_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

// ELB API reference, "TargetHealth": the reason code that goes with each state.
const REASONS: Record<TargetState, { reason?: string; description?: string }> = {
  initial: { reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' },
  healthy: {},
  unhealthy: { reason: 'Target.FailedHealthChecks', description: 'Health checks failed' },
  draining: {
    reason: 'Target.DeregistrationInProgress',
    description: 'Target deregistration is in progress',
  },
  unused: { reason: 'Target.NotRegistered', description: 'Target is not registered to the target group' },
};

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The two AWS control-plane calls a container makes to learn that it is being stopped, answered
 * for the local stack's load balancer: ELB's `DescribeTargetHealth` (AWS Query protocol: a form
 * POST, an XML answer; ELB API reference, "DescribeTargetHealth") and the ECS task metadata
 * endpoint v4's `/task` (ECS developer guide, "Amazon ECS task metadata v4 JSON response for
 * tasks on Fargate": only the fields the container reads). The container runs the real
 * `@aws-sdk/client-elastic-load-balancing-v2` client against it, so the code path is the one
 * that runs on AWS.
 * The XML is written here by hand: one fixed answer of five fields, escaped, which needs no
 * XML library (the SDK's own parser reads it, which is what the test checks).
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const metadata = /^\/v4\/([^/]+)\/task$/.exec(req.url ?? '');
    if (req.method === 'GET' && metadata) {
      const target = options.targets().find((t) => t.id === decodeURIComponent(metadata[1] ?? ''));
      if (!target) return reply(res, 404, 'text/plain', 'no such task');
      return reply(
        res,
        200,
        'application/json',
        JSON.stringify({
          TaskARN: `arn:aws:ecs:us-east-1:000000000000:task/local/${target.id}`,
          DesiredStatus: 'RUNNING',
          KnownStatus: 'RUNNING',
          Containers: [{ Name: 'server', Networks: [{ NetworkMode: 'awsvpc', IPv4Addresses: [target.ip] }] }],
        }),
      );
    }
    if (req.method !== 'POST') return reply(res, 404, 'text/plain', 'not found');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (form.get('Action') !== 'DescribeTargetHealth')
      return queryError(res, 400, 'InvalidAction', `${form.get('Action')} is not answered locally`);
    if (form.get('TargetGroupArn') !== options.targetGroupArn)
      return queryError(res, 400, 'TargetGroupNotFound', 'One or more target groups not found');
    calls++;
    const asked: { id: string; port: number | undefined }[] = [];
    for (let n = 1; form.has(`Targets.member.${n}.Id`); n++) {
      const port = form.get(`Targets.member.${n}.Port`);
      asked.push({ id: form.get(`Targets.member.${n}.Id`) ?? '', port: port ? Number(port) : undefined });
    }
    const registered = options.targets();
    const described = (asked.length > 0 ? asked : registered.map((t) => ({ id: t.ip, port: t.port }))).map(
      ({ id, port }) => {
        const target = registered.find((t) => t.ip === id && (port === undefined || t.port === port));
        return { id, port: port ?? target?.port, state: target ? options.targetState(target.id) : 'unused' };
      },
    );
    const members = described
      .map(({ id, port, state }) => {
        const { reason, description } = REASONS[state as TargetState];
        return [
          '<member>',
          `<Target><Id>${escapeXml(id)}</Id>${port === undefined ? '' : `<Port>${port}</Port>`}</Target>`,
          '<TargetHealth>',
          `<State>${state}</State>`,
          reason ? `<Reason>${reason}</Reason><Description>${description}</Description>` : '',
          '</TargetHealth>',
          '</member>',
        ].join('');
      })
      .join('');
    reply(
      res,
      200,
      'text/xml',
      `<DescribeTargetHealthResponse xmlns="${ELB_NAMESPACE}"><DescribeTargetHealthResult><TargetHealthDescriptions>${members}</TargetHealthDescriptions></DescribeTargetHealthResult><ResponseMetadata><RequestId>local-${calls}</RequestId></ResponseMetadata></DescribeTargetHealthResponse>`,
    );
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    elbEndpoint: url,
    metadataUri: (targetId) => `${url}/v4/${encodeURIComponent(targetId)}`,
    describeCalls: () => calls,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

/** The AWS Query protocol's error shape (AWS SDK: `<ErrorResponse><Error><Code>`). */
function queryError(res: ServerResponse, status: number, code: string, message: string): void {
  reply(
    res,
    status,
    'text/xml',
    `<ErrorResponse xmlns="${ELB_NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`,
  );
}
