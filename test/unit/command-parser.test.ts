import assert from 'node:assert/strict';
import { parseCommand, tokenize } from '../../src/domain/parse/command-parser';

describe('command parsing', () => {
  it('reads a channel by quoted team and channel names, case-insensitively, with a date', () => {
    assert.deepEqual(parseCommand('MIGRATE Channel "My Team" "Project Falcon" since 2020-01-01'), {
      verb: 'migrate',
      target: { kind: 'channel', team: 'My Team', channel: 'Project Falcon' },
      since: '2020-01-01T00:00:00Z',
    });
  });

  it('accepts typographic quotes from mobile keyboards', () => {
    assert.deepEqual(tokenize('migrate channel “My Team” ‘General’'), ['migrate', 'channel', 'My Team', 'General']);
  });

  it('ignores a leftover @mention and HTML entities', () => {
    const c = parseCommand('<at>Migration Bot</at>&nbsp;migrate this since 2020-01-01');
    assert.deepEqual(c, { verb: 'migrate', target: { kind: 'this' }, since: '2020-01-01T00:00:00Z' });
  });

  it('opens the form for a bare migrate', () => {
    assert.deepEqual(parseCommand('migrate'), { verb: 'migrate-form' });
  });

  it('reads a chat id and a team bulk command', () => {
    assert.deepEqual(parseCommand('migrate chat 19:abc@thread.v2'), { verb: 'migrate', target: { kind: 'chat', chatId: '19:abc@thread.v2' }, since: null });
    assert.deepEqual(parseCommand('migrate team "Contoso Engineering" since 2019-01-01'), {
      verb: 'migrate-team',
      team: 'Contoso Engineering',
      since: '2019-01-01T00:00:00Z',
    });
    assert.deepEqual(parseCommand('complete team Sales'), { verb: 'complete-team', team: 'Sales' });
    assert.deepEqual(parseCommand('status team Sales'), { verb: 'status-team', team: 'Sales' });
  });

  it('reads a pasted link as the target', () => {
    const c = parseCommand('migrate https://teams.microsoft.com/l/chat/19%3Aabc%40thread.v2/conversations since 2020-01-01');
    assert.equal(c.verb, 'migrate');
    assert.deepEqual(c.verb === 'migrate' && c.target, { kind: 'link', link: { kind: 'chat', chatId: '19:abc@thread.v2', tenantId: null } });
  });

  it('reads audit filters', () => {
    assert.deepEqual(parseCommand('audit last 5'), { verb: 'audit', target: null, user: null, last: 5 });
    assert.deepEqual(parseCommand('audit user "Alex Wilber" last 3'), { verb: 'audit', target: null, user: 'Alex Wilber', last: 3 });
    assert.deepEqual(parseCommand('audit this'), { verb: 'audit', target: { kind: 'this' }, user: null, last: 20 });
  });

  it('reads the import commands', () => {
    assert.deepEqual(parseCommand('import'), { verb: 'import', team: null });
    assert.deepEqual(parseCommand('Import into "Contoso Engineering"'), { verb: 'import', team: 'Contoso Engineering' });
    assert.deepEqual(parseCommand('import into Sales'), { verb: 'import', team: 'Sales' });
    assert.deepEqual(parseCommand('import status'), { verb: 'import-status', jobId: null });
    assert.deepEqual(parseCommand('import status 3f2a9c1e-0b4d-4e5f-8a9b-0c1d2e3f4a5b'), {
      verb: 'import-status',
      jobId: '3f2a9c1e-0b4d-4e5f-8a9b-0c1d2e3f4a5b',
    });
    assert.deepEqual(parseCommand('import report job_1'), { verb: 'import-report', jobId: 'job_1' });
    assert.deepEqual(parseCommand('<at>Migration Bot</at> import into “My Team”'), { verb: 'import', team: 'My Team' });
  });

  it('reads audit export with and without a date', () => {
    assert.deepEqual(parseCommand('audit export'), { verb: 'audit-export', since: null });
    assert.deepEqual(parseCommand('AUDIT EXPORT since 2020-01-01'), { verb: 'audit-export', since: '2020-01-01T00:00:00Z' });
    assert.deepEqual(parseCommand('audit export since 2020-01-01 09:00Z'), { verb: 'audit-export', since: '2020-01-01T09:00:00Z' });
  });

  const invalid: [string, RegExp][] = [
    ['migrate channel "My Team"', /needs both its team and its channel/],
    ['migrate channel My Team General', /Too many words/],
    ['migrate chat not-a-chat', /is not a chat id/],
    ['migrate chat 19:abc@thread.v2 since', /needs a date/],
    ['migrate chat 19:abc@thread.v2 since yesterday', /is not a date/],
    ['migrate chat 19:abc@thread.v2 since 2020-01-01 please', /Unexpected words after the date/],
    ['migrate this since 2020-01-01T10:00', /no time zone/],
    ['migrate something', /is not a target/],
    ['migrate https://example.com/l/channel/x', /Only Teams links/],
    ['status', /needs a target/],
    ['status this since 2020-01-01', /does not take a date/],
    ['locked now', /takes no arguments/],
    ['audit last 0', /number from 1 to 200/],
    ['complete team', /needs the team's name/],
    ['import into', /needs the team's name/],
    ['import into My Team', /Too many words for one team/],
    ['import somewhere', /is not something import understands/],
    ['import report', /needs a job id/],
    ['import report a b', /takes one job id/],
    ['import status ../../etc/passwd', /is not an import job id/],
    [`import report ${'a'.repeat(65)}`, /is not an import job id/],
    ['audit export since', /needs a date/],
    ['audit export since yesterday', /is not a date/],
    ['audit export last 5', /takes only "since <date>"/],
  ];
  for (const [text, message] of invalid) {
    it(`explains what is wrong with: ${text}`, () => {
      const c = parseCommand(text);
      assert.equal(c.verb, 'invalid');
      assert.match(c.verb === 'invalid' ? c.message : '', message);
    });
  }

  it('treats unknown words as unknown and very long text as invalid', () => {
    assert.deepEqual(parseCommand('hello there'), { verb: 'unknown', word: 'hello' });
    assert.equal(parseCommand('x'.repeat(5000)).verb, 'invalid');
  });
});
