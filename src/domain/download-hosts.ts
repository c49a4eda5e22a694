/**
 * Which hosts a file attached in Teams may be downloaded from (IMPORT_DOWNLOAD_HOSTS). Teams hands the
 * bot a pre-authenticated `downloadUrl` inside an activity; the bot fetches it only from a host on this
 * list, so a forged activity cannot make it fetch an internal address, a metadata endpoint or any other
 * site. Pure: the download adapter and the configuration both use these rules.
 *
 * An entry is `host`, `*.host` (any subdomain of `host`, never `host` itself), an IPv4 literal or a
 * bracketed IPv6 literal, each with an optional `:port`. Without a port an entry matches only the
 * scheme's default port (443 for https). A `*.` entry needs at least two labels after it, the last one
 * alphabetic (so `*.com` and `*.0.0.1` are not entries), and never matches an IP literal.
 */

/** One parsed entry. `host` is lower case, without the `*.` and without the port. */
export interface HostPattern {
  subdomainsOnly: boolean;
  host: string;
  /** null: the default port only. */
  port: number | null;
}

/**
 * The default list: the hosts of SharePoint Online, where OneDrive for Business keeps a file a user
 * attaches in a personal chat (the worldwide cloud, GCC included: `*.sharepoint.com`; GCC High:
 * `*.sharepoint.us`; DoD: `*.sharepoint-mil.us`; operated by 21Vianet: `*.sharepoint.cn`).
 */
export const DEFAULT_DOWNLOAD_HOSTS: readonly string[] = ['*.sharepoint.com', '*.sharepoint.us', '*.sharepoint-mil.us', '*.sharepoint.cn'];

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** True when a URL's `hostname` is an IP literal (IPv4 dotted, or IPv6 in brackets). */
export function isIpLiteral(hostname: string): boolean {
  return IPV4.test(hostname) || IPV6.test(hostname);
}

function isDnsName(host: string): boolean {
  const labels = host.split('.');
  return host.length <= 253 && labels.every((l) => LABEL.test(l)) && /[a-z]/.test(labels[labels.length - 1]);
}

/** Parses one entry of IMPORT_DOWNLOAD_HOSTS; null when it is not a valid entry. */
export function parseHostPattern(text: string): HostPattern | null {
  const entry = text.trim().toLowerCase();
  const m = /^(\*\.)?(\[[0-9a-f:.]+\]|[^:[\]/@]+)(?::(\d{1,5}))?$/.exec(entry);
  if (!m) return null;
  const [, star, host, portText] = m;
  const port = portText === undefined ? null : Number(portText);
  if (port !== null && (port < 1 || port > 65535)) return null;
  if (star) {
    if (!isDnsName(host) || host.split('.').length < 2) return null;
    return { subdomainsOnly: true, host, port };
  }
  if (!isIpLiteral(host) && !isDnsName(host)) return null;
  return { subdomainsOnly: false, host, port };
}

/** The canonical text of an entry (what the configuration exposes). */
export function formatHostPattern(p: HostPattern): string {
  return `${p.subdomainsOnly ? '*.' : ''}${p.host}${p.port === null ? '' : `:${p.port}`}`;
}

/**
 * True when a URL's `hostname` (lower case, as WHATWG URL gives it) and `port` ('' for the default)
 * match one of the entries. `defaultPort` is the scheme's (443 for https).
 */
export function hostAllowed(hostname: string, port: string, patterns: readonly HostPattern[], defaultPort = 443): boolean {
  const host = hostname.toLowerCase();
  const effectivePort = port === '' ? defaultPort : Number(port);
  return patterns.some((p) => {
    if ((p.port ?? defaultPort) !== effectivePort) return false;
    if (!p.subdomainsOnly) return host === p.host;
    return isDnsName(host) && host.endsWith(`.${p.host}`);
  });
}
