import { InvokeCommand } from '@aws-sdk/client-lambda';
import { authenticate, bearerToken, ConfigError, hs256Verifier, type JwtKey } from '@syncbell/server';
import { ErrorCode } from '@syncbell/contract';
import { newSyncJobId, syncJobNotificationType, syncJobRequestSchema } from '@syncbell/contract/jobs';
import { getLambdaClient } from '../clients.js';
import { NotifyInvokeError } from '../errors.js';
import { type HttpResult, headerValue, httpApiEventSchema, jsonResult } from '../events.js';
import type { Telemetry } from '../observability.js';
import { getRuntime, lambdaHandler } from '../runtime.js';
import type { NotifyEvent } from './notify.js';

export interface JobsDeps {
  /** The HS256 key, as text or bytes (`JwtKey`, normalised once by `hs256Verifier`). */
  jwtKey: JwtKey;
  telemetry: Telemetry;
  /** Starts the job without waiting for it (async Lambda invoke on AWS). */
  startJob(event: NotifyEvent): Promise<void>;
  /** @default `newSyncJobId` (`job_` + ULID, as on the socket.io variant) */
  newJobId?: () => string;
}

/**
 * `POST /jobs/sync` (the contract's `syncJobRequestSchema`, the same body and limits as the
 * socket.io variant's): answers 202 at once; the job notifies the user when it finishes.
 */
export function createJobsHandler(deps: () => JobsDeps): (event: unknown) => Promise<HttpResult> {
  return async (rawEvent) => {
    const { jwtKey, telemetry, startJob, newJobId = newSyncJobId } = deps();
    const event = httpApiEventSchema.safeParse(rawEvent);
    if (!event.success) return jsonResult(400, { code: ErrorCode.BadRequest, message: 'malformed request' });

    const authorization = headerValue(event.data.headers, 'authorization');
    const auth = await authenticate(bearerToken(authorization), hs256Verifier(jwtKey));
    if (!auth.ok) return jsonResult(auth.status, auth.error);
    const { userId } = auth;

    const rawBody = event.data.body ?? '';
    const text = event.data.isBase64Encoded ? Buffer.from(rawBody, 'base64').toString('utf8') : rawBody;
    let json: unknown = {};
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        return jsonResult(400, { code: ErrorCode.BadRequest, message: 'body is not valid JSON' });
      }
    }
    const request = syncJobRequestSchema.safeParse(json);
    if (!request.success) {
      const detail = request.error.issues
        .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
        .join('; ');
      return jsonResult(400, { code: ErrorCode.BadRequest, message: detail });
    }

    const jobId = newJobId();
    const { durationMs, outcome } = request.data;
    await startJob({
      userId,
      jobId,
      type: syncJobNotificationType(outcome),
      data: { durationMs },
      delayMs: durationMs,
    });
    telemetry.logger.info('sync job started', { userId, jobId, durationMs, outcome });
    return jsonResult(202, { jobId });
  };
}

/**
 * On AWS (and under serverless-offline, through its Lambda endpoint) the job is an
 * asynchronous invoke of the notify function: the HTTP answer does not wait for it, and the
 * Lambda that answered may be frozen right after. Without NOTIFY_FUNCTION_NAME (plain Node,
 * tests) the notify code runs in this process instead.
 */
async function startJobDefault(event: NotifyEvent): Promise<void> {
  const runtime = getRuntime();
  const functionName = runtime.config.notifyFunctionName;
  if (functionName !== undefined) {
    const answer = await getLambdaClient().send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
    );
    if (answer.FunctionError !== undefined || (answer.StatusCode ?? 0) >= 300) {
      throw new NotifyInvokeError(
        `could not start the notify function ${functionName}: status ${answer.StatusCode} ${answer.FunctionError ?? ''}`,
      );
    }
    return;
  }
  if (runtime.config.nodeEnv === 'production') {
    throw new ConfigError(
      'NOTIFY_FUNCTION_NAME is required in production (a frozen Lambda cannot finish an in-process job)',
    );
  }
  const { handler: notify } = await import('./notify.js');
  void notify(event).catch((error: unknown) =>
    runtime.telemetry.logger.error('in-process sync job failed', { error }),
  );
}

export const handler = lambdaHandler(
  createJobsHandler(() => {
    const runtime = getRuntime();
    return { jwtKey: runtime.config.jwtKey, telemetry: runtime.telemetry, startJob: startJobDefault };
  }),
);
