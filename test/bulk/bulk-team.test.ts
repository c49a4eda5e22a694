import assert from 'node:assert/strict';
import { cardActions, cardText, lastCardActivity, lastReplyText, press } from '../support/harness';
import type { BulkHarness } from './bulk-harness';
import { startBulkHarness } from './bulk-harness';
import {
  bulkEnv,
  ENGINEERING,
  ENGINEERING_FRESH,
  FALCON,
  LEGACY,
  MY_TEAM,
  served,
  TEAM_RPS,
  throttled,
  updatedCardTexts,
  VENDOR,
  waitForCardUpdate,
  writesTo,
} from './support';

describe('bulk: an admin migrates every channel of a team at once', function () {
  let h: BulkHarness;
  before(async () => {
    h = await startBulkHarness({ emulator: { limits: throttled }, env: bulkEnv });
  });
  after(async () => h?.stop());

  const jobAudit = async (action: 'bulk-start' | 'bulk-complete') => (await h.bot.store.queryLedger({ action, limit: 1000 })).filter((e) => e.jobId);

  describe('migrate team over the 66-channel Contoso Engineering, with Graph throttling on and injected 429s', () => {
    let confirmed: { cardId: string; data: Record<string, unknown> } | null = null;
    it('previews every channel, skips the two already in migration, and writes nothing yet', async () => {
      h.reset();
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate team "Contoso Engineering" since 2020-01-01');
      const preview = lastReplyText(alex);
      assert.match(preview, /Start migration for 64 channels of Contoso Engineering\?/);
      assert.match(preview, /Legacy Import — skipped: already in migration mode/);
      assert.match(preview, /Vendor Archive — skipped: already in migration mode/);
      assert.match(preview, /Channel 07 \(private\) — will start/);
      assert.match(preview, /Channel 62 — will start/);
      assert.match(preview, /Channel 63 \(private\) — will start/);
      assert.match(preview, /2020-01-01 00:00 UTC/);
      assert.match(preview, /Type the team's name, Contoso Engineering, to confirm/);
      assert.equal(h.emulator.graphWrites().length, 0, 'a preview writes nothing');
    });

    it('refuses a wrong typed name: the same card comes back with the error and nothing runs', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate team "Contoso Engineering" since 2020-01-01');
      const wrong = await press(alex, h.emulator, 'Confirm', { typedConfirmation: 'contoso engineering' });
      assert.match(wrong.text, /"contoso engineering" is not the team's name\. Type Contoso Engineering exactly to confirm\. Nothing was started\./);
      assert.match(wrong.text, /Start migration for 64 channels/);
      assert.ok(
        cardActions(wrong.card).some((a) => a.title === 'Confirm'),
        'the card can still be confirmed',
      );
      const empty = await press(alex, h.emulator, 'Confirm');
      assert.match(empty.text, /Type Contoso Engineering exactly to confirm/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(h.emulator.graphWrites().length, 0);
    });

    it('starts every channel exactly once at the paced rate, recovers from 429s, and updates one progress card to a final summary', async function () {
      h.reset();
      // Four 429s in a row outlast graph-client's three retries: the job itself must wait and retry.
      h.emulator.faults.inject({ method: 'POST', path: /eng-ch05%40thread\.tacv2\/startMigration$/, kind: '429', times: 4, retryAfter: 0.2 });
      h.emulator.faults.inject({ method: 'POST', path: /eng-ch10%40thread\.tacv2\/startMigration$/, kind: '429', times: 2, retryAfter: 0.35 });
      h.emulator.faults.inject({ method: 'POST', path: /eng-ch20%40thread\.tacv2\/startMigration$/, kind: '503', times: 1, retryAfter: 0.1 });
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate team "Contoso Engineering" since 2020-01-01');
      const t0 = Date.now();
      const { id: cardId, card } = lastCardActivity(alex, h.emulator);
      confirmed = { cardId, data: { ...cardActions(card).find((a) => a.title === 'Confirm')!.data, typedConfirmation: 'Contoso Engineering' } };
      const started = await press(alex, h.emulator, 'Confirm', { typedConfirmation: 'Contoso Engineering' });
      assert.match(started.text, /Starting migration: Contoso Engineering/);

      const summary = await waitForCardUpdate(h.emulator, alex, /Bulk start finished/);
      const elapsed = Date.now() - t0;
      await h.bulk.whenIdle();
      assert.match(summary, /64 started, 0 failed, 2 skipped\./);
      assert.match(summary, /Legacy Import: skipped: already in migration mode/);
      assert.match(summary, /Vendor Archive: skipped: already in migration mode/);

      for (const id of ENGINEERING_FRESH) {
        assert.equal(served(writesTo(h.emulator, id, 'startMigration')).length, 1, `${id} gets exactly one startMigration`);
        assert.equal(h.emulator.thread(id)!.startMigrationCalls, 1, `${id} reached once`);
        assert.equal(h.emulator.thread(id)!.migrationMode, 'inProgress');
        assert.equal(Date.parse(h.emulator.thread(id)!.createdDateTime), Date.parse('2020-01-01T00:00:00Z'));
      }
      assert.equal(writesTo(h.emulator, LEGACY, 'startMigration').length, 0);
      assert.equal(writesTo(h.emulator, VENDOR, 'startMigration').length, 0);
      assert.equal(h.emulator.thread(VENDOR)!.migrationOwnerAppId, h.emulator.info.otherApp.clientId, 'the other app keeps its migration');

      // Paced, not throttled: the only 429s are the six injected ones.
      const graph = h.emulator.requests({ service: 'graph' });
      assert.equal(graph.filter((r) => r.status === 429).length, 6, 'no 429 beyond the injected ones');
      // 64 writes at TEAM_RPS per second cannot be faster than the team limit allows.
      assert.ok(elapsed >= ((64 - TEAM_RPS) / TEAM_RPS) * 1000, `took ${elapsed} ms`);

      const updates = updatedCardTexts(h.emulator, alex);
      assert.ok(
        updates.some((t) => /Starting migration: Contoso Engineering/.test(t) && /Remaining/.test(t)),
        'intermediate progress was shown',
      );
      const updatedIds = new Set(h.emulator.connector.updates(alex.conversationId).map((a) => a.id));
      assert.equal(updatedIds.size, 1, 'one progress card, updated in place');

      const entries = await jobAudit('bulk-start');
      assert.equal(entries.length, 64, 'one ledger entry per started channel');
      assert.equal(new Set(entries.map((e) => e.targetKey)).size, 64);
      assert.ok(
        entries.every(
          (e) => e.outcome === 'succeeded' && e.actor.name === 'Alex Wilber' && e.parameters.conversationCreationDateTime === '2020-01-01T00:00:00Z',
        ),
      );
      assert.equal(new Set(entries.map((e) => e.jobId)).size, 1);
      const items = await h.bot.store.listBulkItems(entries[0].jobId!);
      assert.equal(items.filter((i) => i.state === 'succeeded').length, 64);
      assert.deepEqual(
        items
          .filter((i) => i.state === 'skipped')
          .map((i) => i.itemKey)
          .sort(),
        [LEGACY, VENDOR].sort(),
      );
      assert.equal((await h.bot.store.getBulkJob(entries[0].jobId!))!.state, 'done');
    });

    it('pressing the same Confirm again shows the summary and starts nothing', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      const before = h.emulator.graphWrites().length;
      const again = await alex.executes(confirmed!.cardId, 'bulkConfirm', confirmed!.data);
      const text = JSON.stringify(again.body);
      assert.match(text, /Bulk start finished: Contoso Engineering/);
      assert.match(text, /64 started, 0 failed, 2 skipped/);
      assert.equal(h.emulator.graphWrites().length, before);
    });

    it('complete team completes what the migration app owns and explains the channel another app owns', async function () {
      h.reset();
      for (const id of ENGINEERING_FRESH) h.emulator.setThread(id, { migrationMode: 'inProgress', migrationOwnerAppId: h.emulator.info.migrationApp.clientId });
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('complete team "Contoso Engineering"');
      const preview = lastReplyText(alex);
      assert.match(preview, /Complete migration for 66 channels of Contoso Engineering\?/);
      assert.match(preview, /Vendor Archive — will complete \(not started by this bot: if another app owns the migration, Graph refuses and it is reported\)/);
      assert.match(preview, /Channel 01 — will complete$/m);
      await press(alex, h.emulator, 'Confirm', { typedConfirmation: 'Contoso Engineering' });
      const summary = await waitForCardUpdate(h.emulator, alex, /Bulk complete finished/);
      await h.bulk.whenIdle();
      assert.match(summary, /65 completed, 1 failed, 0 skipped\./);
      assert.match(
        summary,
        /Vendor Archive: Another app started this migration\. Only that app can import into this thread or complete it\. \(403 Forbidden, request-id [0-9a-f-]+\)/,
      );
      for (const id of [...ENGINEERING_FRESH, LEGACY]) {
        assert.equal(served(writesTo(h.emulator, id, 'completeMigration')).length, 1, `${id} gets exactly one completeMigration`);
        assert.equal(h.emulator.thread(id)!.migrationMode, 'completed');
      }
      assert.equal(h.emulator.thread(VENDOR)!.migrationMode, 'inProgress');
      assert.equal(h.emulator.requests({ service: 'graph' }).filter((r) => r.status === 429).length, 0, 'paced below the limits');
      const entries = await jobAudit('bulk-complete');
      assert.equal(entries.length, 66);
      assert.equal(entries.filter((e) => e.outcome === 'failed').length, 1);
      assert.equal(entries.find((e) => e.outcome === 'failed')!.error!.code, 'Forbidden');
    });
  });

  describe('small teams and choices', () => {
    beforeEach(() => h.reset());

    it('needs no typed name for 10 channels or fewer, and can leave private channels out', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate team "My Team"');
      const preview = lastCardActivity(alex, h.emulator).card;
      const text = cardText(preview);
      assert.match(text, /Start migration for 4 channels of My Team\?/);
      assert.match(text, /No date was given: each channel keeps its current creation date/);
      assert.doesNotMatch(text, /Type the team's name/);

      const narrowed = await press(alex, h.emulator, 'Exclude private channels');
      assert.match(narrowed.text, /Start migration for 3 channels of My Team\?/);
      assert.match(narrowed.text, /Project Falcon \(private\) — skipped: private channels excluded/);
      const { id } = lastCardActivity(alex, h.emulator);
      // The first preview was replaced: its Confirm no longer runs.
      const oldOpId = cardActions(preview).find((a) => a.title === 'Confirm')!.data.opId;
      const stale = await alex.executes(id, 'bulkConfirm', { opId: oldOpId });
      assert.match(JSON.stringify(stale.body), /cancelled/i);
      assert.equal(h.emulator.graphWrites().length, 0);

      const result = await alex.executes(id, 'bulkConfirm', cardActions(narrowed.card).find((a) => a.title === 'Confirm')!.data);
      assert.match(JSON.stringify(result.body), /Starting migration: My Team/);
      await waitForCardUpdate(h.emulator, alex, /3 started, 0 failed, 1 skipped\./);
      assert.equal(writesTo(h.emulator, FALCON, 'startMigration').length, 0);
      assert.equal(h.emulator.thread(FALCON)!.migrationMode, null);
      assert.equal(h.emulator.thread('19:myteam-partners@thread.tacv2')!.migrationMode, 'inProgress');
      assert.ok((await h.bot.store.queryLedger({ action: 'bulk-start', limit: 100 })).some((e) => e.target?.kind === 'channel' && e.target.teamId === MY_TEAM));
    });

    it('skips channels whose creation date is not later than the requested date', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate team "My Team" since 2025-01-01');
      const text = lastReplyText(alex);
      assert.match(text, /Nothing to do: every channel is skipped/);
      assert.match(text, /General — skipped: the date is not earlier than its creation date 2024-06-10 09:30 UTC/);
      assert.doesNotMatch(text, /Confirm/);
    });

    it('refuses a plain member and touches nothing in Graph beyond the admin check', async () => {
      const lynne = h.teams.as('lynne').inPersonalChat();
      await lynne.says(`migrate team ${ENGINEERING} since 2020-01-01`);
      assert.match(lastReplyText(lynne), /Only Teams administrators can do this/);
      const graph = h.emulator.requests({ service: 'graph' });
      assert.ok(
        graph.every((r) => r.path.endsWith('/checkMemberObjects')),
        graph.map((r) => r.path).join(', '),
      );
      const refusals = await h.bot.store.queryLedger({ action: 'refused', limit: 10 });
      assert.equal(refusals[0].actor.name, 'Lynne Robbins');
    });

    it("refuses a plain member pressing Confirm on an admin's preview in a group chat", async () => {
      const chat = '19:playground-groupchat@thread.v2';
      const alex = h.teams.as('alex').inGroupChat(chat);
      await alex.says('migrate team "My Team" since 2020-01-01');
      const { id, card } = lastCardActivity(alex, h.emulator);
      const opId = cardActions(card).find((a) => a.data.opId)!.data.opId;
      const lynne = h.teams.as('lynne').inGroupChat(chat);
      const pressed = await lynne.executes(id, 'bulkConfirm', { opId });
      assert.match(JSON.stringify(pressed.body), /Only Teams administrators can do this/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(h.emulator.graphWrites().length, 0);
    });

    it('answers an unknown team with the teams that look alike', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('complete team "Contoso Engneering"');
      assert.match(lastReplyText(alex), /No team named "Contoso Engneering" was found\. Teams starting with "Con": Contoso Engineering/);
    });
  });
});
