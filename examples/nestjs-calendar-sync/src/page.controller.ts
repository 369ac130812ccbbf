import { readFile } from 'node:fs/promises';
import { Controller, Get, Header, Inject, NotFoundException, Query } from '@nestjs/common';
import { resolveJwtSecret, signToken } from '@syncbell/server';
import { APP_CONFIG, type AppConfig } from './config.js';

const WEB = new URL('./web/', import.meta.url);
const secret = resolveJwtSecret();

/**
 * The page's script: `web/app.js` when the image build made it (the Dockerfile bundles it beside
 * index.html, so the image needs neither esbuild nor the SDK's sources at run time); from the
 * sources (`npm run example:nest`), bundled once at start with esbuild.
 */
async function pageScript(): Promise<string> {
  const built = await readFile(new URL('app.js', WEB), 'utf8').catch(() => undefined);
  if (built !== undefined) return built;
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [new URL('app.ts', WEB).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

/** The tiny page, its script (the SDK and the page code, bundled: no CDN), and health. */
@Controller()
export class PageController {
  private readonly script = pageScript();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page() {
    return readFile(new URL('index.html', WEB), 'utf8');
  }

  @Get('app.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  app() {
    return this.script;
  }

  /**
   * Your app's login does this. Here any visitor may be any user, so it exists only with the
   * built-in development secret (never with JWT_SECRET set, so never in production).
   */
  @Get('dev-token')
  async devToken(@Query('user') user: string | undefined) {
    if (!secret.isDevSecret) throw new NotFoundException();
    return { token: await signToken({ userId: user || 'alice', key: secret.key }) };
  }

  /** The load balancer's health check (the ALB target group's, in AWS: `healthCheckPath`). */
  @Get(['readyz', 'healthz'])
  ready() {
    return { ready: true, instanceId: this.config.instanceId };
  }
}
