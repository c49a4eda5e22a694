import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config';
import { DEFAULT_DOWNLOAD_HOSTS, hostAllowed, parseHostPattern, type HostPattern } from '../../src/domain/download-hosts';

const patterns = (...entries: string[]): HostPattern[] => entries.map((e) => parseHostPattern(e)!);

/** Whether `url` passes the host rules of `entries` (hostname and port as WHATWG URL gives them). */
const allowed = (url: string, ...entries: string[]) => {
  const u = new URL(url);
  return hostAllowed(u.hostname, u.port, patterns(...entries));
};

describe('which hosts an attached file may be downloaded from (IMPORT_DOWNLOAD_HOSTS)', () => {
  it('parses host names, *. subdomain entries, IP literals and ports, lower-casing them', () => {
    assert.deepEqual(parseHostPattern('*.SharePoint.com'), { subdomainsOnly: true, host: 'sharepoint.com', port: null });
    assert.deepEqual(parseHostPattern('contoso-my.sharepoint.com'), { subdomainsOnly: false, host: 'contoso-my.sharepoint.com', port: null });
    assert.deepEqual(parseHostPattern('127.0.0.1:8443'), { subdomainsOnly: false, host: '127.0.0.1', port: 8443 });
    assert.deepEqual(parseHostPattern('[::1]:8443'), { subdomainsOnly: false, host: '[::1]', port: 8443 });
    assert.deepEqual(parseHostPattern('localhost'), { subdomainsOnly: false, host: 'localhost', port: null });
  });

  it('refuses entries that are not one host: a bare *, a wildcard over a top-level domain or an IP, URLs, user info, bad ports', () => {
    for (const bad of [
      '*',
      '*.com',
      '*.0.0.1',
      '*.*.sharepoint.com',
      'https://a.sharepoint.com',
      'user@a.sharepoint.com',
      'a.sharepoint.com:0',
      'a.sharepoint.com:70000',
      'a.sharepoint.com/x',
      '-a.com',
      'a_b.com',
      '',
    ]) {
      assert.equal(parseHostPattern(bad), null, bad);
    }
  });

  it('a *. entry matches subdomains at any depth, never the domain itself or a look-alike', () => {
    assert.equal(allowed('https://contoso-my.sharepoint.com/personal/x/_layouts/15/download.aspx?tempauth=t', '*.sharepoint.com'), true);
    assert.equal(allowed('https://a.b.sharepoint.com/x', '*.sharepoint.com'), true);
    assert.equal(allowed('https://sharepoint.com/x', '*.sharepoint.com'), false);
    assert.equal(allowed('https://evilsharepoint.com/x', '*.sharepoint.com'), false);
    assert.equal(allowed('https://contoso.sharepoint.com.evil.example/x', '*.sharepoint.com'), false);
    assert.equal(allowed('https://contoso.sharepoint.com./x', '*.sharepoint.com'), false, 'a trailing dot is another name');
    assert.equal(allowed('https://CONTOSO.SharePoint.COM/x', '*.sharepoint.com'), true, 'URL lower-cases the host');
  });

  it('an exact entry matches only that host', () => {
    assert.equal(allowed('https://contoso-my.sharepoint.com/x', 'contoso-my.sharepoint.com'), true);
    assert.equal(allowed('https://other-my.sharepoint.com/x', 'contoso-my.sharepoint.com'), false);
  });

  it('matches the default port only, unless the entry names another port', () => {
    assert.equal(allowed('https://a.sharepoint.com:443/x', '*.sharepoint.com'), true);
    assert.equal(allowed('https://a.sharepoint.com:8443/x', '*.sharepoint.com'), false);
    assert.equal(allowed('https://127.0.0.1:8443/x', '127.0.0.1:8443'), true);
    assert.equal(allowed('https://127.0.0.1:8444/x', '127.0.0.1:8443'), false);
    assert.equal(allowed('https://127.0.0.1/x', '127.0.0.1:8443'), false);
  });

  it('an IP literal passes only an exact entry, in whatever spelling URL normalises', () => {
    assert.equal(allowed('https://169.254.169.254/latest', ...DEFAULT_DOWNLOAD_HOSTS), false);
    assert.equal(allowed('https://0x7f.1:8443/x', '127.0.0.1:8443'), true, '0x7f.1 is 127.0.0.1');
    assert.equal(allowed('https://2130706433:8443/x', '127.0.0.1:8443'), true);
    assert.equal(allowed('https://[::1]:8443/x', '127.0.0.1:8443'), false);
    assert.equal(allowed('https://[::1]:8443/x', '[::1]:8443'), true);
  });

  it('covers SharePoint Online in every cloud that has it, and nothing else, by default', () => {
    for (const host of ['contoso-my.sharepoint.com', 'contoso-my.sharepoint.us', 'contoso-my.sharepoint-mil.us', 'contoso-my.sharepoint.cn']) {
      assert.equal(allowed(`https://${host}/x`, ...DEFAULT_DOWNLOAD_HOSTS), true, host);
    }
    for (const host of ['graph.microsoft.com', 'login.microsoftonline.com', 'contoso.blob.core.windows.net', 'localhost', 'example.com']) {
      assert.equal(allowed(`https://${host}/x`, ...DEFAULT_DOWNLOAD_HOSTS), false, host);
    }
  });
});

describe('configuration of exports attached in Teams', () => {
  const base = {
    GRAPH_TENANT_ID: '00000000-0000-0000-0000-000000000001',
    GRAPH_CLIENT_ID: 'aaaaaaaa-0000-0000-0000-000000000001',
    GRAPH_CLIENT_SECRET: 'super-secret-value-123',
    BOT_ID: 'bbbbbbbb-0000-0000-0000-000000000001',
    BOT_PASSWORD: 'bot-secret',
  };
  const problems = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.message;
    }
    assert.fail('expected a configuration error');
  };

  it('defaults: SharePoint hosts, 2048 MB, kept 30 days', () => {
    const c = loadConfig(base);
    assert.deepEqual(c.import.downloadHosts, [...DEFAULT_DOWNLOAD_HOSTS]);
    assert.equal(c.import.maxUploadBytes, 2048 * 1024 ** 2);
    assert.equal(c.import.exportRetentionDays, 30);
    assert.deepEqual(
      loadConfig({ ...base, IMPORT_DOWNLOAD_HOSTS: '', IMPORT_MAX_UPLOAD_MB: '', IMPORT_EXPORT_RETENTION_DAYS: '' }).import,
      c.import,
      'empty, as in the templates: the defaults',
    );
  });

  it('reads the variables, normalising host entries and dropping repeats', () => {
    const c = loadConfig({
      ...base,
      IMPORT_DOWNLOAD_HOSTS: '*.SharePoint.com, contoso-my.sharepoint.com;*.sharepoint.com',
      IMPORT_MAX_UPLOAD_MB: '0.5',
      IMPORT_EXPORT_RETENTION_DAYS: '0',
    });
    assert.deepEqual(c.import.downloadHosts, ['*.sharepoint.com', 'contoso-my.sharepoint.com']);
    assert.equal(c.import.maxUploadBytes, 512 * 1024);
    assert.equal(c.import.exportRetentionDays, 0);
  });

  it('names a malformed variable and never echoes its value', () => {
    const msg = problems({
      ...base,
      IMPORT_DOWNLOAD_HOSTS: '*.sharepoint.com,https://evil.example/x?sig=s3cr3t',
      IMPORT_MAX_UPLOAD_MB: 'lots',
      IMPORT_EXPORT_RETENTION_DAYS: '1.5',
    });
    for (const name of ['IMPORT_DOWNLOAD_HOSTS', 'IMPORT_MAX_UPLOAD_MB', 'IMPORT_EXPORT_RETENTION_DAYS']) assert.match(msg, new RegExp(name));
    assert.doesNotMatch(msg, /evil|s3cr3t|lots/);
    assert.match(problems({ ...base, IMPORT_DOWNLOAD_HOSTS: '*' }), /IMPORT_DOWNLOAD_HOSTS must be a comma-separated list of host names/);
  });

  it('in local mode also allows the emulator, whose files are on the https origin of its Graph and login endpoints', () => {
    const local = {
      LOCAL_MODE: 'true',
      GRAPH_TENANT_ID: base.GRAPH_TENANT_ID,
      GRAPH_CLIENT_ID: base.GRAPH_CLIENT_ID,
      GRAPH_CLIENT_SECRET: base.GRAPH_CLIENT_SECRET,
      GRAPH_ENDPOINT: 'https://127.0.0.1:47123',
      GRAPH_AUTHORITY_HOST: 'https://127.0.0.1:47123',
    };
    assert.deepEqual(loadConfig(local).import.downloadHosts, [...DEFAULT_DOWNLOAD_HOSTS, '127.0.0.1:47123']);
    assert.deepEqual(loadConfig({ ...local, IMPORT_DOWNLOAD_HOSTS: 'files.contoso.example' }).import.downloadHosts, [
      'files.contoso.example',
      '127.0.0.1:47123',
    ]);
    const remote = loadConfig({
      ...local,
      LOCAL_MODE_ALLOW_REMOTE_GRAPH: 'true',
      GRAPH_ENDPOINT: 'https://graph.microsoft.com',
      GRAPH_AUTHORITY_HOST: 'https://localhost',
    });
    assert.deepEqual(remote.import.downloadHosts, [...DEFAULT_DOWNLOAD_HOSTS, 'localhost'], 'only loopback endpoints are added');
    assert.deepEqual(loadConfig(base).import.downloadHosts, [...DEFAULT_DOWNLOAD_HOSTS], 'never outside local mode');
  });
});
