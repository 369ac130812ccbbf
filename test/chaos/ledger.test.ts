import { describe, expect, it } from 'vitest';
import { DeliveryLedger } from '../../chaos/ledger.js';
import { createNotification } from '../../shared/contract/index.js';

const notify = (userId: string, jobId = 'job') =>
  createNotification({ type: 'sync.complete', userId, jobId });

describe('delivery ledger', () => {
  it('counts a notification published for a user and never surfaced by one of its clients as lost', async () => {
    const ledger = new DeliveryLedger();
    const surfacedA = ledger.watch('a#0', 'a');
    ledger.watch('a#1', 'a');
    const sent = notify('a');
    ledger.published(sent);
    surfacedA(sent);
    expect(await ledger.settle(10)).toBe(false);
    expect(ledger.summary()).toMatchObject({ published: 1, lost: 1, duplicates: 0, crossUser: 0 });
  });

  it('counts an id surfaced twice, and a job surfaced under two ids, as duplicates', () => {
    const ledger = new DeliveryLedger();
    const surfaced = ledger.watch('a#0', 'a');
    const first = notify('a', 'job-1');
    const retried = notify('a', 'job-1');
    ledger.published(first);
    surfaced(first);
    surfaced(first);
    surfaced(retried);
    expect(ledger.summary().duplicates).toBe(2);
  });

  it('counts another user’s notification seen by a client or an attacker as cross-user', () => {
    const ledger = new DeliveryLedger();
    const surfaced = ledger.watch('a#0', 'a');
    surfaced(notify('b'));
    ledger.attackerReceived('mallory', notify('a'));
    ledger.attackerReceived('mallory', notify('mallory'));
    expect(ledger.summary().crossUser).toBe(2);
  });

  it('counts an accepted job as lost until a notification of that job surfaces', async () => {
    const ledger = new DeliveryLedger();
    const surfaced = ledger.watch('a#0', 'a');
    ledger.jobAccepted('a', 'job-7');
    const settled = ledger.settle(5000);
    surfaced(notify('a', 'job-7'));
    expect(await settled).toBe(true);
    expect(ledger.summary()).toMatchObject({ published: 1, lost: 0 });
  });
});
