import { Client } from '@microsoft/microsoft-graph-client';
import type { Config } from '../config/config';
import type { GraphTokenProvider } from './graph-credential';

/**
 * Creates the Graph client the whole bot shares: base URL from the cloud (or `GRAPH_ENDPOINT`),
 * the migration app's token provider, and graph-client's default middleware chain (its retry
 * handler retries 429/503/504 honouring `Retry-After`). A non-Microsoft host must be listed in
 * `customHosts` or graph-client silently drops the Authorization header.
 */
export function createGraphClient(graph: Config['graph'], tokens: GraphTokenProvider): Client {
  const host = new URL(graph.endpoint).hostname;
  return Client.initWithMiddleware({
    authProvider: tokens,
    baseUrl: `${graph.endpoint}/`,
    defaultVersion: graph.apiVersion,
    customHosts: new Set([host]),
  });
}
