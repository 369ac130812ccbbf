import { build } from 'esbuild';

export interface BundleOptions {
  /** @default 'dist/syncbell-client.js' */
  outfile?: string;
  /** @default true */
  minify?: boolean;
  /** Extra entry for a page that uses the SDK; defaults to the SDK itself. */
  entry?: string;
}

/**
 * Bundles the SDK for browsers as one ES module with esbuild. `platform: 'browser'` makes any
 * Node-only import a build error, which is how the "runs in a browser" promise is kept.
 */
export async function bundleClient({
  outfile = 'dist/syncbell-client.js',
  minify = true,
  entry,
}: BundleOptions = {}) {
  const result = await build({
    entryPoints: [entry ?? new URL('./index.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify,
    sourcemap: true,
    metafile: true,
    outfile,
    logLevel: 'silent',
  });
  // metafile keys are relative to the working directory; match the bundle, not its source map.
  const output = Object.entries(result.metafile.outputs).find(([path]) => !path.endsWith('.map'))?.[1];
  return { outfile, bytes: output?.bytes ?? 0, inputs: Object.keys(result.metafile.inputs) };
}
