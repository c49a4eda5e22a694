import defaultFixtureJson from './fixture/tenant.json';

/** A directory role held by a user or a role-assignable group. */
export interface RoleAssignment {
  roleTemplateId: string;
  /** 'tenant' = tenant-wide; 'administrativeUnit' = scoped (does not make an admin, spec §7) */
  scope: 'tenant' | 'administrativeUnit';
  administrativeUnitId?: string;
  /** 'eligible' = PIM-eligible, not activated (does not count, spec §7) */
  state: 'active' | 'eligible';
}

export interface FixtureUser {
  key: string;
  id: string;
  displayName: string;
  givenName: string;
  surname: string;
  userPrincipalName: string;
  mail: string | null;
  tenantId: string;
  userType: 'Member' | 'Guest';
  roleAssignments: RoleAssignment[];
}

export interface FixtureGroup {
  id: string;
  displayName: string;
  tenantId: string;
  securityEnabled: boolean;
  isAssignableToRole: boolean;
  /** user keys or group ids (nested groups) */
  members: string[];
  roleAssignments: RoleAssignment[];
}

export interface FixtureApp {
  key: string;
  displayName: string;
  clientId: string;
  clientSecret: string;
  tenantId: string;
  /** true: the emulator generates a certificate for this app (client_assertion sign-in) */
  certificate?: boolean;
  roles: string[];
}

export interface FixtureChannel {
  id: string;
  displayName: string;
  membershipType: 'standard' | 'private' | 'shared';
  description?: string;
  createdDateTime?: string;
  originalCreatedDateTime?: string | null;
  migrationMode?: 'inProgress' | 'completed' | null;
  /** app key of the owner of a pre-existing migration */
  migrationOwner?: string;
  migrationStartedDateTime?: string;
}

export interface FixtureTeam {
  id: string;
  tenantId: string;
  displayName: string;
  description: string;
  createdDateTime: string;
  members: string[];
  /** the first channel is the General channel */
  channels: FixtureChannel[];
}

export interface FixtureChat {
  id: string;
  tenantId: string;
  topic: string | null;
  chatType: 'oneOnOne' | 'group' | 'meeting';
  createdDateTime: string;
  originalCreatedDateTime?: string | null;
  migrationMode?: 'inProgress' | 'completed' | null;
  migrationOwner?: string;
  migrationStartedDateTime?: string;
  members: string[];
  /** startMigration answers 412 "Version mismatch for thread resource" (reported in the field) */
  startMigrationPreconditionFailed?: boolean;
}

/** A tenant fixture with every generated series expanded. */
export interface TenantFixture {
  homeTenantId: string;
  foreignTenantId: string;
  tenants: { id: string; displayName: string; domain: string }[];
  directoryRoles: { globalAdministrator: string; teamsAdministrator: string };
  users: FixtureUser[];
  groups: FixtureGroup[];
  apps: FixtureApp[];
  bot: { appId: string; password: string; name: string; tenantId: string };
  teams: FixtureTeam[];
  chats: FixtureChat[];
}

/** A numbered series in the JSON: `{nn}` in any string becomes the two-digit number. */
interface Series<T> {
  generate: T & { from: number; to: number; privateEvery?: number };
}

function isSeries<T>(entry: unknown): entry is Series<T> {
  return typeof entry === 'object' && entry !== null && 'generate' in entry;
}

/** Replaces `{nn}` in every string of a JSON value (deep). */
function fill<T>(value: T, nn: string): T {
  if (typeof value === 'string') return value.split('{nn}').join(nn) as unknown as T;
  if (Array.isArray(value)) return (value as unknown[]).map((v) => fill(v, nn)) as unknown as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fill(v, nn);
    return out as T;
  }
  return value;
}

function expand<T extends object>(entries: unknown[]): T[] {
  const out: T[] = [];
  for (const entry of entries) {
    if (!isSeries<T>(entry)) {
      out.push(entry as T);
      continue;
    }
    const { from, to, privateEvery, ...template } = entry.generate;
    for (let n = from; n <= to; n++) {
      const item = fill(template, String(n).padStart(2, '0')) as Record<string, unknown>;
      if (privateEvery && n % privateEvery === 0) item.membershipType = 'private';
      out.push(item as T);
    }
  }
  return out;
}

/**
 * Expands a raw fixture (as stored in JSON, with `generate` series for numbered teams and
 * channels) into a plain TenantFixture. Already expanded fixtures pass through unchanged, so a
 * test may hand in either form.
 */
export function expandFixture(raw: unknown): TenantFixture {
  const src = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
  const teams = expand<FixtureTeam>((src.teams ?? []) as unknown[]).map((t) => ({ ...t, channels: expand<FixtureChannel>(t.channels ?? []) }));
  return { ...src, teams, chats: expand<FixtureChat>((src.chats ?? []) as unknown[]) } as TenantFixture;
}

/** The default fixture shipped in `emulator/fixture/tenant.json`, expanded (a fresh copy each call). */
export function defaultFixture(): TenantFixture {
  return expandFixture(defaultFixtureJson);
}
