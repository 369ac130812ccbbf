import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** The SDK's browser entries, one per transport: an app pays only for the one it imports. */
export const SDK_ENTRIES = {
  socketio: new URL('../shared/client/socketio.ts', import.meta.url).pathname,
  apigw: new URL('../shared/client/apigw.ts', import.meta.url).pathname,
} as const;
export type SdkEntry = keyof typeof SDK_ENTRIES;

const REPO_ROOT = new URL('../', import.meta.url).pathname;

export interface BundleOptions {
  outfile: string;
  /** @default true */
  minify?: boolean;
  /** The module to bundle: a path. @default SDK_ENTRIES.socketio */
  entry?: string;
  /**
   * Instead of `entry`, the source of a small app (TypeScript), its imports resolved from the
   * repository root (`./shared/client/apigw.js`, `socket.io-client`). What the size budgets measure.
   */
  app?: string;
}

/**
 * Bundles the SDK (or an app using it) for browsers as one ES module with esbuild.
 * `platform: 'browser'` makes any Node-only import a build error, which is how the "runs in a
 * browser" promise is kept. Returns the minified size, its gzip size (what a browser downloads)
 * and the bundled inputs (to prove what stayed out).
 */
export async function bundleClient({ outfile, minify = true, entry, app }: BundleOptions) {
  const result = await build({
    ...(app === undefined
      ? { entryPoints: [entry ?? SDK_ENTRIES.socketio] }
      : { stdin: { contents: app, loader: 'ts', resolveDir: REPO_ROOT, sourcefile: 'app.ts' } }),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify,
    sourcemap: true,
    metafile: true,
    outfile,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((file) => !file.path.endsWith('.map'));
  if (!code) throw new Error(`esbuild wrote no bundle for ${outfile}`);
  await mkdir(dirname(code.path), { recursive: true });
  for (const file of result.outputFiles) await writeFile(file.path, file.contents);
  return {
    outfile,
    bytes: code.contents.byteLength,
    gzipBytes: gzipSync(code.contents).byteLength,
    inputs: Object.keys(result.metafile.inputs),
  };
}
