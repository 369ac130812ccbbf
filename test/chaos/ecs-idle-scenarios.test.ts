import { describe, expect, it } from 'vitest';
import { formatTable } from '../../chaos/report.js';
import { verdict } from '../../chaos/scenario.js';
import { fastScenarios } from '../../chaos/scenarios.js';

// The same scenario code `npm run chaos` runs, at the quick scale: a fleet of SDK clients, notifications
// flowing, the fault injected, then nothing lost, nothing surfaced twice, nothing leaked across users.
describe('chaos scenarios, ECS variant, load balancer idle timeout (quick scale)', () => {
  for (const scenario of fastScenarios.filter(
    (s) => s.variant === 'ecs-socketio' && s.id.startsWith('ecs-lb-idle'),
  )) {
    it(`${scenario.id}: ${scenario.title}`, { timeout: 90_000 }, async () => {
      const result = await scenario.run({ scale: 'quick', log: () => {} });
      expect(verdict(result), formatTable([result])).toBe(true);
      expect(result.notifications).toBeGreaterThan(0);
      expect(result.connections).toBeGreaterThan(0);
    });
  }
});
