/** Host names that always mean "this machine" (any other DNS name could be rebound to anywhere). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * True when a host (a `Host` header or a URL's `host`: name or IP literal, optional port) names
 * this machine by a loopback literal or `localhost`.
 */
export function isLoopbackHost(host: string): boolean {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(host.trim());
  return m !== null && LOOPBACK_HOSTS.has(m[1].toLowerCase());
}
