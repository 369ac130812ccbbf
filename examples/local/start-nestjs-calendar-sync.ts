import { startCalendarSyncLocal } from './nestjs-calendar-sync.js';

// `npm run example:nest`: two web containers and a worker behind the local load balancer.
const local = await startCalendarSyncLocal({
  port: Number(process.env.PORT ?? 3000),
  log: (line) => console.log(line),
});
console.log(`\ncalendar sync example: open ${local.url}/?user=alice (Ctrl-C to stop)\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void local.stop().then(() => process.exit(0));
  });
