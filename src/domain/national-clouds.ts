/**
 * The Microsoft clouds the bot can be set up for, and what an admin must know about migration in
 * the national ones. Pure: the config picks the cloud, failures name it, explanations word it.
 */

/** The cloud the bot talks to (`GRAPH_CLOUD`). */
export type CloudName = 'global' | 'usgov' | 'dod' | 'china';

const cloudLabels: Record<CloudName, string> = {
  global: 'the global service',
  usgov: 'US Government L4 (GCC High)',
  dod: 'US Government L5 (DoD)',
  china: 'Microsoft 365 operated by 21Vianet',
};

/**
 * What an admin should know about migration in a national cloud (spec §2): Microsoft's v1.0 pages
 * list startMigration, completeMigration and message import for the global service only. Null in
 * the global service.
 */
export function nationalCloudCaveat(cloud: CloudName): string | null {
  if (cloud === 'global') return null;
  return `This bot is set up for ${cloudLabels[cloud]} (GRAPH_CLOUD=${cloud}). Microsoft lists the migration APIs (startMigration, completeMigration, message import) for the global service only, so Graph may refuse them here; what follows is the service's own answer.`;
}
