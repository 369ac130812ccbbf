import { parseArgs } from 'node:util';
import { resolveJwtSecret, signToken } from '../shared/server/auth/index.js';

export async function runToken(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'expires-in': { type: 'string', default: '900' } },
  });
  const userId = positionals[0];
  if (!userId) {
    process.stderr.write('usage: syncbell token <userId> [--expires-in SECONDS]\n');
    return 2;
  }
  const { key } = resolveJwtSecret();
  process.stdout.write(
    `${await signToken({ userId, key, expiresInSeconds: Number(values['expires-in']) })}\n`,
  );
  return 0;
}
