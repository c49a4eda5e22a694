import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../config/loopback';

/**
 * In local mode there is no channel authentication, so the only thing standing between a web page
 * in the developer's browser and the bot is that browsers mark their requests. Returns why a
 * request must be refused, or null: any `Origin` or `Sec-Fetch-Site` header (only browsers send
 * them; the Agents Playground and the emulator send neither), or a `Host` that is not a loopback
 * name (a DNS-rebinding page reaches 127.0.0.1 under its own host name).
 */
export function refuseInLocalMode(headers: IncomingMessage['headers']): string | null {
  if (headers.origin !== undefined || headers['sec-fetch-site'] !== undefined) {
    return 'Local mode refuses requests from web pages (the request carries an Origin or Sec-Fetch-Site header).';
  }
  const host = headers.host;
  if (!host || !isLoopbackHost(host)) {
    return 'Local mode only answers requests addressed to 127.0.0.1, localhost or [::1] (the Host header names another host).';
  }
  return null;
}
