/**
 * `syncbell <command>`: one entry point, commands loaded lazily so `syncbell cost` does not
 * pay for socket.io and the AWS SDK.
 */
interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  start: {
    summary: 'run the local playground (both variants, the load balancer, Redis, the worker)',
    run: async (argv) => (await import('../playground/start.js')).runStart(argv),
  },
  smoke: {
    summary: 'deliver one cross-container notification through the running playground and print its latency',
    run: async (argv) => (await import('../playground/smoke.js')).runSmoke(argv),
  },
  'build-sdk': {
    summary:
      'bundle the client SDK for browsers with esbuild, one file per transport: syncbell build-sdk [--outdir DIR]',
    run: async (argv) => {
      const { parseArgs } = await import('node:util');
      const { join } = await import('node:path');
      const { values } = parseArgs({ args: argv, options: { outdir: { type: 'string', default: 'dist' } } });
      const { bundleClient, SDK_ENTRIES } = await import('./bundle-sdk.js');
      for (const [name, entry] of Object.entries(SDK_ENTRIES)) {
        const outfile = join(values.outdir, `syncbell-${name}.js`);
        const { bytes, gzipBytes } = await bundleClient({ entry, outfile });
        process.stdout.write(
          `wrote ${outfile} (${(bytes / 1024).toFixed(1)} KiB, ${(gzipBytes / 1024).toFixed(1)} KiB gzip)\n`,
        );
      }
      return 0;
    },
  },
  pack: {
    summary:
      'compile the packages to JavaScript + .d.ts and write npm tarballs: syncbell pack [--outdir DIR] (default .pack)',
    run: async (argv) => (await import('./pack.js')).runPack(argv),
  },
  boundaries: {
    summary:
      'check the package boundaries with dependency-cruiser (.dependency-cruiser.cjs) and the test layout (test/README.md)',
    run: async () => (await import('./boundaries.js')).runBoundaries(),
  },
  preflight: {
    summary: 'read-only checks of the AWS account a first cdk deploy targets (see syncbell preflight --help)',
    run: async (argv) => (await import('./preflight.js')).runPreflight(argv),
  },
  token: {
    summary: 'print a development token for a user: syncbell token <userId>',
    run: async (argv) => (await import('./token.js')).runToken(argv),
  },
  schema: {
    summary: 'write the notification envelope JSON Schema: syncbell schema [--out FILE]',
    run: async (argv) => (await import('./json-schema.js')).runSchema(argv),
  },
  cost: {
    summary: 'monthly cost of each option for a workload (see syncbell cost --help)',
    run: async (argv) => (await import('../cost/cli.js')).runCost(argv),
  },
  bench: {
    summary: 'run the benchmarks and write the report (see syncbell bench --help)',
    run: async (argv) => (await import('../benchmarks/cli.js')).runBench(argv),
  },
  chaos: {
    summary: 'run the fault and abuse scenarios and write docs/RELIABILITY.md (see syncbell chaos --help)',
    run: async (argv) => (await import('../chaos/cli.js')).runChaos(argv),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
  );
  return `usage: syncbell <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`syncbell: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    process.stderr.write(`syncbell ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
