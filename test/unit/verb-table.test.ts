import assert from 'node:assert/strict';
import { text, type FlowReply } from '../../src/features/shared/acting';
import type { Conversation } from '../../src/features/shared/conversation';
import type { VerbTableFlows } from '../../src/teams/verb-table';
import { answerCommand, createVerbTable } from '../../src/teams/verb-table';

/** A conversation in Alex's personal chat; the table only passes it on. */
const alex: Conversation = {
  who: {
    aadObjectId: '00000000-0000-0000-0000-000000000020',
    name: 'Alex Wilber',
    tenantId: 't',
    conversationId: 'a:1',
    timeZone: null,
    conversationKind: 'personal',
  },
  place: { conversationType: 'personal', tenantId: 't', channelId: null, chatId: null, teamId: async () => null },
  userId: '29:alex',
  replyToId: null,
  reference: {},
};

/** Features that record what they were asked, and answer with the name of the call. */
function recordingFlows(withBulk = true) {
  const calls: { name: string; args: unknown[] }[] = [];
  const answer =
    (name: string) =>
    async (...args: unknown[]): Promise<FlowReply> => {
      calls.push({ name, args });
      return text(name);
    };
  const flows = {
    start: { prepare: answer('start.prepare'), confirm: answer('start.confirm') },
    status: { status: answer('status'), statusTeam: answer('statusTeam') },
    complete: { ask: answer('completeAsk'), confirm: answer('completeConfirm') },
    locked: { locked: answer('locked') },
    audit: { audit: answer('audit') },
    guard: { cancel: answer('cancel'), privateView: answer('privateView') },
    form: { open: answer('form.open') },
    formButtons: { formNext: answer('formNext') },
    bulk: withBulk ? { bulkAskStart: answer('bulkAskStart'), bulkAskComplete: answer('bulkAskComplete'), bulkConfirm: answer('bulkConfirm') } : undefined,
  } as unknown as VerbTableFlows;
  return { calls, flows, table: createVerbTable(flows) };
}

describe('the verb table: each typed command and card verb reaches one feature', () => {
  it('sends each typed command to its feature with the conversation and the text as typed', async () => {
    const { calls, table } = recordingFlows();
    const said = async (typed: string) => ((await answerCommand(table.commands, alex, typed)) as { text: string }).text;
    assert.equal(await said('migrate this since 2020-01-01'), 'start.prepare');
    assert.equal(calls[0].args[0], alex.who);
    assert.equal(calls[0].args.at(-1), 'migrate this since 2020-01-01');
    assert.equal(await said('status this'), 'status');
    assert.equal(await said('status team "My Team"'), 'statusTeam');
    assert.equal(await said('complete this'), 'completeAsk');
    assert.equal(await said('locked'), 'locked');
    assert.equal(await said('audit last 5'), 'audit');
    assert.equal(await said('migrate'), 'form.open');
    assert.equal(await said('migrate team "My Team" since 2020-01-01'), 'bulkAskStart');
    assert.deepEqual(calls.at(-1)!.args[1], { team: 'My Team', since: '2020-01-01T00:00:00Z' });
    assert.equal(await said('complete team "My Team"'), 'bulkAskComplete');
    assert.match(await said('frobnicate'), /I don't know "frobnicate"/);
  });

  it('keeps what a ledger line records of a read-only command to 500 characters', async () => {
    const { calls, table } = recordingFlows();
    await answerCommand(table.commands, alex, `status channel "${'t'.repeat(250)}" "${'c'.repeat(250)}"`);
    assert.equal(calls[0].name, 'status');
    assert.equal((calls[0].args.at(-1) as string).length, 500);
  });

  it('says bulk jobs are not available when none are wired, and offers their card verbs only when they are', async () => {
    const without = recordingFlows(false);
    const reply = (await answerCommand(without.table.commands, alex, 'migrate team "My Team"')) as { text: string };
    assert.match(reply.text, /Bulk operations are not available/);
    assert.ok(!('bulkConfirm' in without.table.buttons));
    assert.deepEqual(Object.keys(recordingFlows().table.buttons).sort(), [
      'bulkAskComplete',
      'bulkAskStart',
      'bulkConfirm',
      'cancelOp',
      'completeAsk',
      'completeConfirm',
      'confirm',
      'formNext',
      'openForm',
      'refreshView',
      'status',
    ]);
  });

  it('says import and reports are not available when they are not wired, and offers no file, search or consent handler', async () => {
    const { table } = recordingFlows();
    const said = async (typed: string) => ((await answerCommand(table.commands, alex, typed)) as { text: string }).text;
    assert.match(await said('import into "My Team"'), /Importing .* is not available in this deployment/);
    assert.match(await said('import status'), /not available in this deployment/);
    assert.match(await said('import report abc'), /Reports as files are not available in this deployment/);
    assert.match(await said('audit export since 2020-01-01'), /Reports as files are not available in this deployment/);
    assert.equal(table.files, undefined);
    assert.equal(table.fileConsent, undefined);
    assert.deepEqual(table.search, {});
  });

  it('sends the import and report commands, attached files, user type-ahead and consent answers to their features', async () => {
    const calls: { name: string; args: unknown[] }[] = [];
    const answer =
      (name: string) =>
      async (...args: unknown[]): Promise<FlowReply> => {
        calls.push({ name, args });
        return text(name);
      };
    const imports = {
      received: answer('received'),
      withoutFile: answer('withoutFile'),
      status: answer('importStatus'),
      buttons: () => ({ importConfirm: answer('importConfirm') }),
      searchUsers: async (...args: unknown[]) => {
        calls.push({ name: 'searchUsers', args });
        return [{ title: 'Alex', value: 'a' }];
      },
    };
    const reports = {
      auditExport: answer('auditExport'),
      importReport: answer('importReport'),
      accept: async (...args: unknown[]) => {
        calls.push({ name: 'accept', args });
        return { uploaded: true as const, note: null };
      },
      decline: answer('decline'),
    };
    const table = createVerbTable({ ...recordingFlows().flows, imports, reports });
    const said = async (typed: string) => ((await answerCommand(table.commands, alex, typed)) as { text: string }).text;
    assert.equal(await said('import into "My Team"'), 'withoutFile');
    assert.deepEqual(calls.at(-1)!.args, [alex, 'My Team']);
    assert.equal(await said('import'), 'withoutFile');
    assert.deepEqual(calls.at(-1)!.args, [alex, null]);
    assert.equal(await said('import status'), 'importStatus');
    assert.deepEqual(calls.at(-1)!.args, [alex, null]);
    assert.equal(await said('import status job-1'), 'importStatus');
    assert.deepEqual(calls.at(-1)!.args, [alex, 'job-1']);
    assert.equal(await said('import report job-1'), 'importReport');
    assert.deepEqual(calls.at(-1)!.args, [alex, 'job-1', 'import report job-1']);
    assert.equal(await said('audit export since 2020-01-01'), 'auditExport');
    assert.deepEqual(calls.at(-1)!.args, [alex, '2020-01-01T00:00:00Z', 'audit export since 2020-01-01']);
    assert.equal(await said('audit export'), 'auditExport');
    assert.deepEqual(calls.at(-1)!.args.slice(0, 2), [alex, null]);

    const files = [{ name: 'e.zip', downloadUrl: 'https://h/1', fileType: 'zip' }];
    assert.equal(((await table.files!(alex, files, 'My Team')) as { text: string }).text, 'received');
    assert.deepEqual(calls.at(-1)!.args, [alex, files, 'My Team']);
    assert.deepEqual(await table.search.users(alex, 'al', 5), [{ title: 'Alex', value: 'a' }]);
    assert.deepEqual(calls.at(-1)!.args, [alex, 'al', 5]);
    const destination = { put: async () => undefined };
    assert.deepEqual(await table.fileConsent!.accept(alex, { offerId: 'x' }, destination), { uploaded: true, note: null });
    assert.deepEqual(calls.at(-1)!.args, [alex, { offerId: 'x' }, destination]);
    await table.fileConsent!.decline(alex, { offerId: 'x' });
    assert.equal(calls.at(-1)!.name, 'decline');
    assert.ok('importConfirm' in table.buttons && 'confirm' in table.buttons, "the import feature's card verbs join the others");
  });

  it('opens the form from a card for the presser alone', async () => {
    const formCard: FlowReply = { kind: 'card', card: { type: 'AdaptiveCard', version: '1.5', body: [] } as never };
    const table = createVerbTable({
      start: {} as never,
      status: {} as never,
      complete: {} as never,
      locked: {} as never,
      audit: {} as never,
      guard: {} as never,
      formButtons: { formNext: async () => text('') },
      form: { open: async () => formCard },
    });
    const opened = await table.buttons.openForm(alex, {});
    assert.equal(opened.kind === 'card' && opened.interactorOnly, true);
  });
});
