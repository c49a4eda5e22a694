import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config';

const base = {
  LOCAL_MODE: 'true',
  // The defaults under test are the real clouds' endpoints, which local mode refuses without this.
  LOCAL_MODE_ALLOW_REMOTE_GRAPH: 'true',
  GRAPH_TENANT_ID: '00000000-0000-0000-0000-000000000001',
  GRAPH_CLIENT_ID: 'aaaaaaaa-0000-0000-0000-000000000001',
  GRAPH_CLIENT_SECRET: 'super-secret-value-123',
};

function problems(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail('expected a configuration error');
}

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    assert.equal(c.port, 3978);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.graph.endpoint, 'https://graph.microsoft.com');
    assert.equal(c.graph.authorityHost, 'https://login.microsoftonline.com');
    assert.equal(c.graph.apiVersion, 'v1.0');
    assert.deepEqual(c.admin.allowedTenantIds, [base.GRAPH_TENANT_ID]);
    assert.equal(c.admin.cacheSeconds, 300);
    assert.equal(c.admin.roleIds.length, 2);
  });
  it('waits at bulk take-over for intents younger than the longest Graph call, unless BULK_INTENT_SETTLE_SECONDS says otherwise', () => {
    assert.equal(loadConfig(base).bulk.intentSettleMs, (30 + 180) * 1000, 'GRAPH_TIMEOUT_SECONDS plus the longest retry pause');
    assert.equal(loadConfig({ ...base, GRAPH_TIMEOUT_SECONDS: '10' }).bulk.intentSettleMs, 190000);
    assert.equal(loadConfig({ ...base, BULK_INTENT_SETTLE_SECONDS: '600' }).bulk.intentSettleMs, 600000);
    assert.equal(loadConfig({ ...base, BULK_INTENT_SETTLE_SECONDS: '' }).bulk.intentSettleMs, 210000, 'empty, as in the templates: the default');
    assert.match(problems({ ...base, BULK_INTENT_SETTLE_SECONDS: '-5' }), /BULK_INTENT_SETTLE_SECONDS must be a number from 0 to 86400/);
  });
  it('maps national clouds', () => {
    assert.equal(loadConfig({ ...base, GRAPH_CLOUD: 'dod' }).graph.endpoint, 'https://dod-graph.microsoft.us');
    assert.equal(loadConfig({ ...base, GRAPH_CLOUD: 'china' }).graph.authorityHost, 'https://login.chinacloudapi.cn');
  });
  it('stops without BOT_ID unless LOCAL_MODE', () => {
    assert.match(problems({ ...base, LOCAL_MODE: undefined }), /BOT_ID is required/);
  });
  it('names every missing or malformed variable and never echoes a value', () => {
    const msg = problems({
      GRAPH_CLIENT_SECRET: 'super-secret-value-123',
      GRAPH_CERTIFICATE_PATH: '/x.pem',
      GRAPH_CLOUD: 'mars',
      PORT: 'abc',
      GRAPH_ENDPOINT: 'http://graph',
      LOCAL_MODE: 'maybe',
    });
    for (const name of ['LOCAL_MODE', 'PORT', 'GRAPH_ENDPOINT']) assert.match(msg, new RegExp(name));
    const msg2 = problems({ ...base, GRAPH_CERTIFICATE_PATH: '/x.pem', GRAPH_CLOUD: 'mars', GRAPH_TENANT_ID: 'not-a-guid' });
    for (const name of ['GRAPH_CLOUD', 'GRAPH_TENANT_ID', 'exactly one of GRAPH_CLIENT_SECRET']) assert.match(msg2, new RegExp(name));
    assert.doesNotMatch(msg + msg2, /super-secret-value-123|mars|not-a-guid|abc/);
  });
});
