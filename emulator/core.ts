import type { AppCertificate } from './cert';
import type { ConnectorStore } from './connector-store';
import type { TenantState } from './state';
import type { TeamsFileStore } from './teams-files';
import type { RateLimiter } from './throttle';

/** The shared pieces every service handler works with. */
export interface Core {
  baseUrl: string;
  state: TenantState;
  /** app client certificates by lower-case client id */
  appCertificates: Map<string, AppCertificate>;
  tokenLifetimeSeconds: number;
  /** tokens issued per lower-case client id since the last reset */
  tokenCounts: Map<string, number>;
  limiter: RateLimiter;
  connector: ConnectorStore;
  /** files of personal chats: hosted downloads and consent upload URLs (`/_files/…`) */
  teamsFiles: TeamsFileStore;
}

/** Resource URIs for which the emulated Entra issues tokens, normalised (lower case, no trailing slash). */
export const GRAPH_PUBLIC_RESOURCE = 'https://graph.microsoft.com';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const BOT_FRAMEWORK_RESOURCE = 'https://api.botframework.com';
/** The Entra tenant of multi-tenant bot registrations (the Bot Framework token service's tenant). */
export const BOT_FRAMEWORK_TENANT = 'botframework.com';

/** Normalises a resource URI for comparisons. */
export function normaliseResource(resource: string): string {
  return resource.trim().toLowerCase().replace(/\/+$/, '');
}

/** True when `resource` names Graph: the public Graph root, Graph's app id, or the emulator itself. */
export function isGraphResource(core: Core, resource: string): boolean {
  const r = normaliseResource(resource);
  return r === GRAPH_PUBLIC_RESOURCE || r === GRAPH_APP_ID || r === normaliseResource(core.baseUrl);
}
