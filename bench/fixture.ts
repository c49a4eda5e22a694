import { defaultFixture, type TenantFixture } from '../emulator/index';

/** Teams Administrator role template id (spec §7). */
const TEAMS_ADMINISTRATOR = '69091246-20e8-4a56-aa4d-066075b2a7a8';

/** Shape of the generated part of the benchmark tenant. */
export interface BenchFixtureShape {
  /** Extra teams for the bulk run, named "Bulk 01", "Bulk 02", … */
  bulkTeams: number;
  /** Channels per bulk team, General included. */
  channelsPerTeam: number;
  /** Extra tenant-wide Teams Administrators, keys `bench-admin-001`, … */
  extraAdmins: number;
}

/** A generated bulk team and its channels, as the bench drives them. */
export interface BulkTeam {
  id: string;
  displayName: string;
  channelIds: string[];
  channelNames: string[];
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Graph id of bulk team `n` (1-based): `00000000-0000-0000-0000-000000002nnn`. */
export function bulkTeamId(n: number): string {
  return `00000000-0000-0000-0000-000000002${pad(n, 3)}`;
}

/** Display name of bulk team `n`. */
export function bulkTeamName(n: number): string {
  return `Bulk ${pad(n, 2)}`;
}

/** Thread id of channel `c` (1 = General) of bulk team `n`. */
export function bulkChannelId(n: number, c: number): string {
  return c === 1 ? `19:bulk-${pad(n, 3)}-general@thread.tacv2` : `19:bulk-${pad(n, 3)}-ch${pad(c, 2)}@thread.tacv2`;
}

/** Display name of channel `c` of a bulk team. */
export function bulkChannelName(c: number): string {
  return c === 1 ? 'General' : `Channel ${pad(c, 2)}`;
}

/** Fixture key of generated admin `n` (1-based). */
export function benchAdminKey(n: number): string {
  return `bench-admin-${pad(n, 3)}`;
}

/** The bulk teams of a shape, with their channel ids and names. */
export function bulkTeams(shape: BenchFixtureShape): BulkTeam[] {
  return Array.from({ length: shape.bulkTeams }, (_, i) => {
    const n = i + 1;
    const cs = Array.from({ length: shape.channelsPerTeam }, (_, j) => j + 1);
    return { id: bulkTeamId(n), displayName: bulkTeamName(n), channelIds: cs.map((c) => bulkChannelId(n, c)), channelNames: cs.map(bulkChannelName) };
  });
}

/**
 * The benchmark tenant: the shared fixture unchanged (so every identity in the brief still means
 * what it says) plus `bulkTeams` teams of `channelsPerTeam` standard channels, never migrated,
 * created 2024-06-10, and `extraAdmins` tenant-wide, active Teams Administrators. The default
 * fixture has four administrators and about a hundred channels; the bulk and concurrency runs
 * need a thousand channels and two hundred distinct administrators.
 */
export function benchFixture(shape: BenchFixtureShape): TenantFixture {
  const fixture = defaultFixture();
  const tenantId = fixture.homeTenantId;
  for (let n = 1; n <= shape.extraAdmins; n++) {
    fixture.users.push({
      key: benchAdminKey(n),
      id: `00000000-0000-0000-0001-000000000${pad(n, 3)}`,
      displayName: `Bench Admin ${pad(n, 3)}`,
      givenName: 'Bench',
      surname: `Admin ${pad(n, 3)}`,
      userPrincipalName: `bench.admin${pad(n, 3)}@example.com`,
      mail: `bench.admin${pad(n, 3)}@example.com`,
      tenantId,
      userType: 'Member',
      roleAssignments: [{ roleTemplateId: TEAMS_ADMINISTRATOR, scope: 'tenant', state: 'active' }],
    });
  }
  for (const team of bulkTeams(shape)) {
    fixture.teams.push({
      id: team.id,
      tenantId,
      displayName: team.displayName,
      description: 'Generated for the bulk benchmark.',
      createdDateTime: '2024-06-10T09:30:00Z',
      members: ['alex', 'megan'],
      channels: team.channelIds.map((id, i) => ({
        id,
        displayName: team.channelNames[i],
        membershipType: 'standard' as const,
        createdDateTime: '2024-06-10T09:30:00Z',
      })),
    });
  }
  return fixture;
}
