import assert from 'node:assert/strict';
import { formatBoth, parseCreationDate, parseFormDateTime } from '../../src/domain/parse/dates';
import { parseTeamsLink } from '../../src/domain/parse/teams-links';

const NOW = new Date('2026-11-23T12:00:00Z');

describe('creation dates', () => {
  it('reads YYYY-MM-DD as midnight UTC', () => {
    assert.deepEqual(parseCreationDate('2020-02-29', NOW), { ok: true, iso: '2020-02-29T00:00:00Z' });
  });
  it('converts an offset to UTC', () => {
    assert.deepEqual(parseCreationDate('2020-01-01T09:00:00+02:00', NOW), { ok: true, iso: '2020-01-01T07:00:00Z' });
    assert.deepEqual(parseCreationDate('2020-01-01T09:00Z', NOW), { ok: true, iso: '2020-01-01T09:00:00Z' });
  });
  it('keeps fractional seconds', () => {
    assert.deepEqual(parseCreationDate('2020-01-01T09:00:00.250-05:30', NOW), { ok: true, iso: '2020-01-01T14:30:00.250Z' });
  });
  for (const [input, message] of [
    ['2021-02-29', /not a real calendar date/],
    ['2020-01-01T25:00:00Z', /not a real date and time/],
    ['2020-01-01T10:00:00', /no time zone/],
    ['2020-01-01T10:00:00+15:00', /impossible offset/],
    ['2030-01-01', /in the future/],
    ['01/02/2020', /is not a date/],
  ] as const) {
    it(`refuses ${input}`, () => {
      const r = parseCreationDate(input, NOW);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.message, message);
    });
  }
  it('reads the form date and time in the admin zone, across daylight saving', () => {
    assert.deepEqual(parseFormDateTime('2020-07-01', '09:30', 'Europe/Berlin', NOW), { ok: true, iso: '2020-07-01T07:30:00Z' });
    assert.deepEqual(parseFormDateTime('2020-01-01', '09:30', 'Europe/Berlin', NOW), { ok: true, iso: '2020-01-01T08:30:00Z' });
    assert.deepEqual(parseFormDateTime('2020-01-01', '', null, NOW), { ok: true, iso: '2020-01-01T00:00:00Z' });
  });
  it('shows dates in UTC and in the admin zone', () => {
    assert.equal(formatBoth('2024-06-10T09:30:00Z', 'Europe/Berlin'), '2024-06-10 09:30 UTC (2024-06-10 11:30 Europe/Berlin)');
    assert.equal(formatBoth('2024-06-10T09:30:00Z', null), '2024-06-10 09:30 UTC');
  });
});

describe('pasted Teams links', () => {
  const team = '00000000-0000-0000-0000-000000000031';
  it('reads a channel link with an encoded id', () => {
    const r = parseTeamsLink(
      `https://teams.microsoft.com/l/channel/19%3Aabc%40thread.tacv2/General?groupId=${team}&tenantId=00000000-0000-0000-0000-000000000001`,
    );
    assert.deepEqual(r, {
      ok: true,
      link: { kind: 'channel', teamId: team, channelId: '19:abc@thread.tacv2', tenantId: '00000000-0000-0000-0000-000000000001', channelName: 'General' },
    });
  });
  it('reads a channel message link and a chat message link', () => {
    const m = parseTeamsLink(`https://teams.cloud.microsoft/l/message/19:abc@thread.tacv2/1700000000000?groupId=${team}&parentMessageId=1&channelName=General`);
    assert.equal(m.ok && m.link.kind, 'channel');
    const c = parseTeamsLink('https://teams.microsoft.com/l/message/19:xyz@thread.v2/1700000000000?context=%7B%22contextType%22%3A%22chat%22%7D');
    assert.deepEqual(c, { ok: true, link: { kind: 'chat', chatId: '19:xyz@thread.v2', tenantId: null } });
  });
  for (const [link, message] of [
    ['https://evil.example/l/channel/19:abc@thread.tacv2/x', /Only Teams links/],
    ['https://teams.microsoft.com/l/channel/19:abc@thread.tacv2/x', /no team \(groupId\)/],
    ['https://teams.microsoft.com/l/channel/19%3A..%2F..%2Fusers@thread.tacv2/x?groupId=' + team, /not contain a valid channel id/],
    ['https://teams.microsoft.com/l/chat/%E0%A4%A/conversations', /broken id/],
    ['https://teams.microsoft.com/l/meeting/abc/x', /not supported/],
    ['https://teams.microsoft.com/', /does not point to a channel/],
  ] as const) {
    it(`refuses ${link.slice(0, 60)}`, () => {
      const r = parseTeamsLink(link);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.message, message);
    });
  }
});
