import { FileStore } from './files';
import type { FixtureApp, FixtureGroup, FixtureTeam, FixtureUser, TenantFixture } from './fixture';
import { MessageStore } from './messages';
import type { ThreadState } from './types';

/** A thread as the emulator keeps it: the public state plus what Graph shapes need. */
export interface ThreadRecord extends ThreadState {
  description: string | null;
  topic: string | null;
  /** user keys (chats) */
  members: string[];
  startMigrationPreconditionFailed: boolean;
  migrationStartedDateTime: string | null;
}

/** A team: the Graph team id is the Microsoft 365 group id; channels keep fixture order. */
export interface TeamRecord {
  id: string;
  tenantId: string;
  displayName: string;
  description: string;
  createdDateTime: string;
  /** thread id of the General channel (what Teams puts in channelData.team.id) */
  generalChannelId: string;
  channelIds: string[];
  members: string[];
}

/**
 * The mutable world of the emulator, built from a tenant fixture: directory (users, groups, apps),
 * teams with their channels, chats, imported messages, uploaded files and permissions granted on
 * top of the fixture's. `reset()` rebuilds it from the fixture so every test can start from the
 * same state.
 */
export class TenantState {
  readonly fixture: TenantFixture;
  teams = new Map<string, TeamRecord>();
  teamOrder: string[] = [];
  threads = new Map<string, ThreadRecord>();
  chatOrder: string[] = [];
  usersById = new Map<string, FixtureUser>();
  usersByKey = new Map<string, FixtureUser>();
  usersByUpn = new Map<string, FixtureUser>();
  groupsById = new Map<string, FixtureGroup>();
  appsByClientId = new Map<string, FixtureApp>();
  appsByKey = new Map<string, FixtureApp>();
  readonly messages = new MessageStore();
  readonly files = new FileStore();
  /** extra application permissions by lower-case client id (admin consent in a test) */
  private readonly grants = new Map<string, Set<string>>();

  constructor(fixture: TenantFixture) {
    this.fixture = fixture;
    for (const u of fixture.users) {
      this.usersById.set(u.id.toLowerCase(), u);
      this.usersByKey.set(u.key, u);
      this.usersByUpn.set(u.userPrincipalName.toLowerCase(), u);
    }
    for (const g of fixture.groups) this.groupsById.set(g.id.toLowerCase(), g);
    for (const a of fixture.apps) {
      this.appsByClientId.set(a.clientId.toLowerCase(), a);
      this.appsByKey.set(a.key, a);
    }
    this.reset();
  }

  /** Rebuilds teams, channels and chats from the fixture (directory objects are immutable). */
  reset(): void {
    this.teams.clear();
    this.threads.clear();
    this.teamOrder = [];
    this.chatOrder = [];
    this.messages.clear();
    this.files.clear();
    this.grants.clear();
    for (const t of this.fixture.teams) this.loadTeam(t);
    for (const c of this.fixture.chats) {
      this.threads.set(c.id, {
        id: c.id,
        kind: 'chat',
        tenantId: c.tenantId,
        displayName: c.topic ?? '',
        chatType: c.chatType,
        createdDateTime: c.createdDateTime,
        originalCreatedDateTime: c.originalCreatedDateTime ?? null,
        migrationMode: c.migrationMode ?? null,
        migrationOwnerAppId: this.ownerClientId(c.migrationOwner),
        startMigrationCalls: 0,
        completeMigrationCalls: 0,
        description: null,
        topic: c.topic,
        members: [...c.members],
        startMigrationPreconditionFailed: c.startMigrationPreconditionFailed ?? false,
        migrationStartedDateTime: c.migrationStartedDateTime ?? null,
      });
      this.chatOrder.push(c.id);
    }
  }

  /** Adds a team to the fixture (so `reset()` keeps it) and to the current state. */
  addTeam(team: FixtureTeam): void {
    if (this.teams.has(team.id.toLowerCase()) || team.channels.some((c) => this.threads.has(c.id)))
      throw new Error(`team ${team.id} or one of its channels exists`);
    this.fixture.teams.push(team);
    this.loadTeam(team);
  }

  private loadTeam(t: FixtureTeam): void {
    const channelIds = t.channels.map((c) => c.id);
    this.teams.set(t.id.toLowerCase(), {
      id: t.id,
      tenantId: t.tenantId,
      displayName: t.displayName,
      description: t.description,
      createdDateTime: t.createdDateTime,
      generalChannelId: channelIds[0],
      channelIds,
      members: [...t.members],
    });
    this.teamOrder.push(t.id.toLowerCase());
    for (const c of t.channels) {
      this.threads.set(c.id, {
        id: c.id,
        kind: 'channel',
        tenantId: t.tenantId,
        teamId: t.id,
        displayName: c.displayName,
        membershipType: c.membershipType,
        createdDateTime: c.createdDateTime ?? t.createdDateTime,
        originalCreatedDateTime: c.originalCreatedDateTime ?? null,
        migrationMode: c.migrationMode ?? null,
        migrationOwnerAppId: this.ownerClientId(c.migrationOwner),
        startMigrationCalls: 0,
        completeMigrationCalls: 0,
        description: c.description ?? null,
        topic: null,
        members: [...t.members],
        startMigrationPreconditionFailed: false,
        migrationStartedDateTime: c.migrationStartedDateTime ?? null,
      });
    }
  }

  private ownerClientId(appKey: string | undefined): string | null {
    if (!appKey) return null;
    const app = this.appsByKey.get(appKey);
    if (!app) throw new Error(`fixture: unknown migration owner app '${appKey}'`);
    return app.clientId;
  }

  /** The application permissions an app holds: the fixture's plus any granted since reset. */
  rolesOf(app: FixtureApp): string[] {
    const extra = [...(this.grants.get(app.clientId.toLowerCase()) ?? [])].filter((r) => !app.roles.includes(r));
    return [...app.roles, ...extra];
  }

  /** Grants an app extra application permissions until reset. */
  grantRoles(clientId: string, roles: string[]): void {
    const app = this.appsByClientId.get(clientId.toLowerCase());
    if (!app) throw new Error(`unknown app ${clientId}`);
    const set = this.grants.get(app.clientId.toLowerCase()) ?? new Set<string>();
    for (const r of roles) set.add(r);
    this.grants.set(app.clientId.toLowerCase(), set);
  }

  /** Finds a user by object id or user principal name (case-insensitive), any tenant. */
  findUser(idOrUpn: string): FixtureUser | undefined {
    const k = idOrUpn.toLowerCase();
    return this.usersById.get(k) ?? this.usersByUpn.get(k);
  }

  team(id: string): TeamRecord | undefined {
    return this.teams.get(id.toLowerCase());
  }

  /** The team whose General channel has this thread id (Teams' `channelData.team.id`). */
  teamByGeneralChannel(threadId: string): TeamRecord | undefined {
    for (const t of this.teams.values()) if (t.generalChannelId === threadId) return t;
    return undefined;
  }

  /** The public view of a thread (a copy: callers cannot change state through it). */
  publicThread(id: string): ThreadState | undefined {
    const t = this.threads.get(id);
    if (!t) return undefined;
    const view: ThreadState = {
      id: t.id,
      kind: t.kind,
      tenantId: t.tenantId,
      displayName: t.displayName,
      createdDateTime: t.createdDateTime,
      originalCreatedDateTime: t.originalCreatedDateTime,
      migrationMode: t.migrationMode,
      migrationOwnerAppId: t.migrationOwnerAppId,
      startMigrationCalls: t.startMigrationCalls,
      completeMigrationCalls: t.completeMigrationCalls,
    };
    if (t.teamId !== undefined) view.teamId = t.teamId;
    if (t.membershipType !== undefined) view.membershipType = t.membershipType;
    if (t.chatType !== undefined) view.chatType = t.chatType;
    return view;
  }

  /** Patches a thread (tests use it to set up a state, e.g. a channel already in migration). */
  patchThread(id: string, patch: Partial<ThreadState>): void {
    const t = this.threads.get(id);
    if (!t) throw new Error(`unknown thread ${id}`);
    const { id: _ignored, kind: _kind, ...rest } = patch;
    Object.assign(t, rest);
  }
}
