// Preloaded into server processes the harness measures (NODE_OPTIONS=--expose-gc --import this).
// On SIGUSR2 it collects garbage and writes its heap figures next to the harness: /proc gives RSS
// and CPU for any process, but heap is only visible from inside.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_PROBE_DIR;
if (dir) {
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    const memory = process.memoryUsage();
    const file = join(dir, `${process.pid}.json`);
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify({
        pid: process.pid,
        atMs: Date.now(),
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        // Memory of JavaScript objects outside the V8 heap (Buffers, ArrayBuffers).
        externalBytes: memory.external,
      }),
    );
    // Rename is atomic: the harness never reads half a file.
    import('node:fs').then(({ renameSync }) => renameSync(`${file}.tmp`, file));
  });
}
