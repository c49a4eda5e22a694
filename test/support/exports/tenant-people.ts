/**
 * The people of the emulator's home tenant (`emulator/fixture/tenant.json`) that generated exports
 * name as authors, so an import can map them by e-mail. Kept here rather than read from the fixture
 * so the generators have no file dependency; `test/unit/export-fixtures.test.ts` checks they agree.
 */

/** A tenant user as an export generator needs them. */
export interface TenantPerson {
  /** The fixture's `key` (also the Slack `name` / Mattermost `username` the generators use). */
  key: string;
  /** The tenant user's `mail`, lower case. */
  email: string;
  displayName: string;
  firstName: string;
  lastName: string;
}

function person(key: string, email: string, firstName: string, lastName: string): TenantPerson {
  return { key, email, displayName: `${firstName} ${lastName}`, firstName, lastName };
}

/** Tenant members with a mailbox, in the fixture's order. */
export const TENANT_PEOPLE: readonly TenantPerson[] = [
  person('alex', 'alexw@example.com', 'Alex', 'Wilber'),
  person('megan', 'meganb@example.com', 'Megan', 'Bowen'),
  person('adele', 'adelev@example.com', 'Adele', 'Vance'),
  person('isaiah', 'isaiahl@example.com', 'Isaiah', 'Langer'),
  person('patti', 'pattif@example.com', 'Patti', 'Fernandez'),
  person('lynne', 'lynner@example.com', 'Lynne', 'Robbins'),
  person('nestor', 'nestorw@example.com', 'Nestor', 'Wilke'),
];

/** The tenant user an e-mail names (compared case-insensitively), or null. */
export function tenantPersonByEmail(email: string | null | undefined): TenantPerson | null {
  if (!email) return null;
  const lower = email.toLowerCase();
  return TENANT_PEOPLE.find((p) => p.email === lower) ?? null;
}

/** The team the story exports are imported into, and its channels (display names, as in the fixture). */
export const STORY_TEAM = { displayName: 'My Team', channels: ['General', 'Announcements', 'Project Falcon', 'Partners'] } as const;

/**
 * The My Team channel a source channel name matches: case-insensitive, ignoring spaces, `-` and `_`
 * (`project_falcon` and `project-falcon` match "Project Falcon"); null when none does.
 */
export function storyTeamsChannel(sourceName: string): string | null {
  const fold = (s: string): string => s.toLowerCase().replace(/[\s_-]+/g, '');
  return STORY_TEAM.channels.find((c) => fold(c) === fold(sourceName)) ?? null;
}
