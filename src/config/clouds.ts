/** The national clouds Graph runs in (spec §6): where tokens come from and where Graph answers. */
export type CloudName = 'global' | 'usgov' | 'dod' | 'china';

export interface CloudEndpoints {
  authorityHost: string;
  graphEndpoint: string;
}

export const clouds: Record<CloudName, CloudEndpoints> = {
  global: { authorityHost: 'https://login.microsoftonline.com', graphEndpoint: 'https://graph.microsoft.com' },
  usgov: { authorityHost: 'https://login.microsoftonline.us', graphEndpoint: 'https://graph.microsoft.us' },
  dod: { authorityHost: 'https://login.microsoftonline.us', graphEndpoint: 'https://dod-graph.microsoft.us' },
  china: { authorityHost: 'https://login.chinacloudapi.cn', graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn' },
};

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

/** Role template ids that make an administrator by default (spec §7). */
export const GLOBAL_ADMINISTRATOR_ROLE = '62e90394-69f5-4237-9190-012177145e10';
export const TEAMS_ADMINISTRATOR_ROLE = '69091246-20e8-4a56-aa4d-066075b2a7a8';
