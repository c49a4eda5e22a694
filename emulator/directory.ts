import type { FixtureUser } from './fixture';
import type { TenantState } from './state';

/** Group ids the user belongs to, directly or through nested groups (transitive). */
export function transitiveGroups(state: TenantState, user: FixtureUser): Set<string> {
  const found = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const g of state.groupsById.values()) {
      const id = g.id.toLowerCase();
      if (found.has(id) || g.tenantId !== user.tenantId) continue;
      const member = g.members.some((m) => m === user.key || m.toLowerCase() === user.id.toLowerCase() || found.has(m.toLowerCase()));
      if (member) {
        found.add(id);
        grew = true;
      }
    }
  }
  return found;
}

/**
 * Role template ids the user holds tenant-wide and active, directly or through a group they are a
 * (transitive) member of. Administrative-unit-scoped and PIM-eligible assignments do not count (spec §7).
 */
export function activeTenantWideRoles(state: TenantState, user: FixtureUser): Set<string> {
  const roles = new Set<string>();
  const holders = [user.roleAssignments, ...[...transitiveGroups(state, user)].map((id) => state.groupsById.get(id)?.roleAssignments ?? [])];
  for (const assignments of holders) {
    for (const a of assignments) if (a.scope === 'tenant' && a.state === 'active') roles.add(a.roleTemplateId.toLowerCase());
  }
  return roles;
}

/**
 * `checkMemberObjects` (spec §7): the subset of `ids` (role template ids or group ids) that the
 * user holds or belongs to. Ids are returned as the caller wrote them, in the caller's order.
 */
export function checkMemberObjects(state: TenantState, user: FixtureUser, ids: string[]): string[] {
  const groups = transitiveGroups(state, user);
  const roles = activeTenantWideRoles(state, user);
  return ids.filter((id) => groups.has(id.toLowerCase()) || roles.has(id.toLowerCase()));
}
