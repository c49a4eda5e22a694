import type { EmulatorInfo } from './types';

/**
 * The environment that points a bot at this emulator: local mode (no channel authentication), the
 * migration app's secret, the emulator as authority host and Graph endpoint. Tests, benchmarks and
 * `npm run dev` start the bot with it (plus their own PORT and extras).
 */
export function botEnvironment(info: EmulatorInfo, dataDir: string): Record<string, string> {
  return {
    LOCAL_MODE: 'true',
    DATA_DIR: dataDir,
    GRAPH_TENANT_ID: info.tenantId,
    GRAPH_CLIENT_ID: info.migrationApp.clientId,
    GRAPH_CLIENT_SECRET: info.migrationApp.clientSecret,
    GRAPH_AUTHORITY_HOST: info.authorityHost,
    GRAPH_ENDPOINT: info.graphEndpoint,
  };
}
