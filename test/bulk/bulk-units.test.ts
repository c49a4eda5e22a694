import assert from 'node:assert/strict';
import { renderBulkPreview, renderBulkProgress } from '../../src/features/bulk/bulk-cards';
import { parseAskArgs } from '../../src/features/bulk/bulk-request';
import { renderCard, templates } from '../../src/cards/renderer';
import { retryAfterMs } from '../../src/features/bulk/bulk-job';
import { planComplete, planStart, refreshPlan, typedConfirmationMatches } from '../../src/features/bulk/bulk-plan';
import { Pacer, windowShape } from '../../src/features/shared/pacer';
import type { Channel } from '../../src/graph/teams-directory';
import type { GraphFailure } from '../../src/domain/graph-failure';

const channel = (id: string, patch: Partial<Channel> = {}): Channel => ({
  id: `19:${id}@thread.tacv2`,
  displayName: id,
  membershipType: 'standard',
  createdDateTime: '2024-06-10T09:30:00Z',
  migrationMode: null,
  originalCreatedDateTime: null,
  ...patch,
});
const all = { excludePrivate: false, channelIds: null };

describe('bulk: pacing requests to the Graph limits', () => {
  it('shapes a rate as a sliding window, longer for rates below one per second', () => {
    assert.deepEqual(windowShape(30), { capacity: 30, windowMs: 1000 });
    assert.deepEqual(windowShape(4), { capacity: 4, windowMs: 1000 });
    assert.deepEqual(windowShape(0.5), { capacity: 1, windowMs: 2000 });
  });

  it('lets four requests a second through on a team and frees each slot one window after its answer', () => {
    let now = 1000;
    const pacer = new Pacer(0, () => now);
    const team = [{ key: 'team:a', perSecond: 4 }];
    const tickets = [1, 2, 3, 4].map(() => {
      assert.equal(pacer.waitFor(team), 0);
      return pacer.take(team);
    });
    assert.equal(pacer.waitFor(team), Number.POSITIVE_INFINITY, 'all four in flight: wait for an answer');
    now = 1050;
    pacer.release(tickets[0]);
    assert.equal(pacer.waitFor(team), 1000, 'one window after the first answer');
    now = 2050;
    assert.equal(pacer.waitFor(team), 0);
  });

  it('holds a budget back for the Retry-After Graph gave', () => {
    let now = 0;
    const pacer = new Pacer(0, () => now);
    const thread = [{ key: 'thread:x', perSecond: 1 }];
    pacer.release(pacer.take(thread));
    pacer.block(thread, 2500);
    assert.equal(pacer.waitFor(thread), 2500);
    now = 2500;
    assert.equal(pacer.waitFor(thread), 0);
  });

  it('waits for the Retry-After of a final 429, or backs off when Graph sent none', () => {
    const failure: GraphFailure = { status: 429, code: 'TooManyRequests', message: '', requestId: null, date: '', outcomeUnknown: false };
    assert.equal(retryAfterMs({ ...failure, retryAfterSeconds: 2.128 }, 0), 2128);
    assert.equal(retryAfterMs(failure, 0), 1000);
    assert.equal(retryAfterMs(failure, 2), 4000);
    assert.equal(retryAfterMs(failure, 10), 30000);
  });
});

describe('bulk: what a preview says will happen to each channel', () => {
  it('starts fresh and completed channels, skips those in migration, with a later date, or excluded private ones', () => {
    const channels = [
      channel('fresh'),
      channel('again', { migrationMode: 'completed' }),
      channel('locked', { migrationMode: 'inProgress' }),
      channel('old', { createdDateTime: '2019-01-01T00:00:00Z' }),
      channel('secret', { membershipType: 'private' }),
    ];
    const plan = planStart(channels, '2020-01-01T00:00:00Z', { excludePrivate: true, channelIds: null }, null);
    assert.deepEqual(
      plan.map((p) => [p.displayName, p.run]),
      [
        ['fresh', true],
        ['again', true],
        ['locked', false],
        ['old', false],
        ['secret', false],
      ],
    );
    assert.equal(plan[1].note, 'migrated before; a new migration starts');
    assert.equal(plan[2].note, 'skipped: already in migration mode');
    assert.match(plan[3].note!, /not earlier than its creation date 2019-01-01 00:00 UTC/);
    assert.equal(plan[4].note, 'skipped: private channels excluded');
    assert.equal(planStart(channels, null, all, null)[4].run, true, 'private channels are included by default');
  });

  it('keeps only the channels chosen in the form', () => {
    const plan = planStart([channel('a'), channel('b'), channel('c')], null, { excludePrivate: false, channelIds: ['19:b@thread.tacv2'] }, null);
    assert.deepEqual(
      plan.map((p) => p.displayName),
      ['b'],
    );
  });

  it('completes only channels in migration and flags the ones this bot did not start', () => {
    const plan = planComplete(
      [
        channel('mine', { migrationMode: 'inProgress' }),
        channel('theirs', { migrationMode: 'inProgress' }),
        channel('never'),
        channel('done', { migrationMode: 'completed' }),
      ],
      new Set(['19:mine@thread.tacv2']),
      all,
    );
    assert.deepEqual(
      plan.map((p) => [p.displayName, p.run]),
      [
        ['mine', true],
        ['theirs', true],
        ['never', false],
        ['done', false],
      ],
    );
    assert.equal(plan[0].note, null);
    assert.match(plan[1].note!, /not started by this bot/);
    assert.equal(plan[2].note, 'skipped: not in migration mode');
    assert.equal(plan[3].note, 'skipped: migration already completed');
  });

  it('skips at confirmation what changed since the preview, and never adds or revives a channel', () => {
    const preview = planStart([channel('a'), channel('b'), channel('gone'), channel('locked', { migrationMode: 'inProgress' })], null, all, null);
    const live = [channel('a'), channel('b', { migrationMode: 'inProgress' }), channel('locked'), channel('new')];
    const fresh = refreshPlan('bulk-start', preview, live, null, null);
    assert.deepEqual(
      fresh.map((p) => [p.displayName, p.run]),
      [
        ['a', true],
        ['b', false],
        ['gone', false],
        ['locked', false],
      ],
    );
    assert.equal(fresh[1].note, 'skipped: already in migration mode (changed after the preview)');
    assert.equal(fresh[2].note, 'skipped: the channel no longer exists');
  });

  it('accepts the typed team name only exactly (spaces around it aside)', () => {
    assert.equal(typedConfirmationMatches('Contoso Engineering', ' Contoso Engineering '), true);
    assert.equal(typedConfirmationMatches('Contoso Engineering', 'contoso engineering'), false);
    assert.equal(typedConfirmationMatches('Contoso Engineering', undefined), false);
    assert.equal(typedConfirmationMatches('Contoso Engineering', ['Contoso Engineering']), false);
  });
});

describe('bulk: reading what a command or a card asks for', () => {
  it('takes a team and an optional date, normalised to UTC', () => {
    assert.deepEqual(parseAskArgs({ team: ' My Team ', since: '2020-01-01T02:00:00+02:00' }), {
      team: 'My Team',
      since: '2020-01-01T00:00:00Z',
      excludePrivate: false,
      channelIds: null,
      replaces: null,
    });
  });

  it('takes the form multi-select as a list or as Teams sends it, comma-separated', () => {
    const args = parseAskArgs({ team: 'x', channelIds: '19:a@thread.tacv2,19:b@thread.tacv2', excludePrivate: 'true' });
    assert.ok(typeof args !== 'string');
    assert.deepEqual(args.channelIds, ['19:a@thread.tacv2', '19:b@thread.tacv2']);
    assert.equal(args.excludePrivate, true);
  });

  it('refuses rewritten or broken card data with a message', () => {
    assert.match(parseAskArgs({}) as string, /Name the team/);
    assert.match(parseAskArgs({ team: 'x'.repeat(300) }) as string, /1 to 256 characters/);
    assert.match(parseAskArgs({ team: 'x', since: 'yesterday' }) as string, /is not a date/);
    assert.match(parseAskArgs({ team: 'x', since: 42 }) as string, /must be text/);
    assert.match(parseAskArgs({ team: 'x', channelIds: ['../../teams'] }) as string, /not valid channel ids/);
  });
});

describe('bulk: its cards come from the one card renderer', () => {
  it('registers the bulk preview and progress templates with the others and renders through them', () => {
    assert.ok('bulk-preview' in templates && 'bulk-progress' in templates);
    const progress = {
      title: 'Starting migration: My Team',
      color: 'Accent' as const,
      summary: '1 of 4 done.',
      facts: [{ title: 'Team', value: 'My Team' }],
      failures: [],
      skipped: [],
      more: '',
      nextSteps: [],
      footer: 'Updated now.',
    };
    assert.deepEqual(renderBulkProgress(progress), renderCard('bulk-progress', progress));
    const preview = {
      title: 'Start migration for 4 channels of My Team?',
      summary: '4 will start, 0 skipped.',
      facts: [],
      warning: '',
      bullets: [],
      rows: [],
      more: '',
      typedConfirmation: '',
      typedError: '',
      expires: '',
      actions: [],
    };
    assert.deepEqual(renderBulkPreview(preview), renderCard('bulk-preview', preview));
  });
});
