/** The national clouds Graph runs in (spec §6): where tokens come from and where Graph answers. */
import type { CloudName } from '../domain/national-clouds';

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

/** Role template ids that make an administrator by default (spec §7). */
export const GLOBAL_ADMINISTRATOR_ROLE = '62e90394-69f5-4237-9190-012177145e10';
export const TEAMS_ADMINISTRATOR_ROLE = '69091246-20e8-4a56-aa4d-066075b2a7a8';
