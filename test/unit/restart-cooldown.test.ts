import assert from 'node:assert/strict';
import { minutesUntil, restartCooldown } from '../../src/domain/restart-cooldown';

describe('the restart cool-down rule', () => {
  const completedAt = '2026-01-05T10:00:00.000Z';
  const at = (iso: string) => Date.parse(iso);

  it("makes a start wait until the cool-down after this bot's completion has passed", () => {
    assert.deepEqual(restartCooldown(completedAt, at('2026-01-05T10:04:00Z'), 10), { completedAt, retryAt: '2026-01-05T10:10:00.000Z' });
    assert.equal(minutesUntil('2026-01-05T10:10:00.000Z', at('2026-01-05T10:04:30Z')), 6);
  });

  it('lets a start through once the cool-down is over, when never completed, or when the cool-down is 0', () => {
    assert.equal(restartCooldown(completedAt, at('2026-01-05T10:10:00Z'), 10), null);
    assert.equal(restartCooldown(null, at('2026-01-05T10:01:00Z'), 10), null);
    assert.equal(restartCooldown(completedAt, at('2026-01-05T10:01:00Z'), 0), null);
    assert.equal(restartCooldown('not a date', at('2026-01-05T10:01:00Z'), 10), null);
  });
});

describe('failures in a national cloud', () => {
  it("name the cloud and the global-only listing before the service's answer, for migration calls only", async () => {
    const { explainFailure } = await import('../../src/domain/explain-failure');
    const failure = {
      status: 403,
      code: 'Forbidden',
      message: 'Forbidden',
      requestId: null,
      date: '2026-01-05T10:00:00Z',
      outcomeUnknown: false,
      nationalCloud: 'china' as const,
    };
    assert.match(
      explainFailure(failure, 'start'),
      /^This bot is set up for Microsoft 365 operated by 21Vianet \(GRAPH_CLOUD=china\)\. .*Another app started this migration/,
    );
    assert.doesNotMatch(explainFailure(failure, 'read'), /21Vianet/);
    assert.doesNotMatch(explainFailure({ ...failure, nationalCloud: undefined }, 'start'), /GRAPH_CLOUD/);
  });
});
