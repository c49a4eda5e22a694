import assert from 'node:assert/strict';
import { bicepOutputs, bicepParams, CONFIG_VARIABLES, GRAPH_APP_ID, MIGRATION_APP_ROLES, placeholdersIn, readEnvTemplate, readJson, readText } from './project';

interface EntraManifest {
  id: string;
  appId: string;
  displayName: string;
  signInAudience: string;
  requiredResourceAccess: Array<{ resourceAppId: string; resourceAccess: Array<{ id: string; type: string }> }>;
}

describe('the migration app an admin consents to (aad.migration.manifest.json)', () => {
  const manifest = readJson<EntraManifest>('aad.migration.manifest.json');

  it('requests exactly the five Graph application permissions the bot uses, by their real ids', () => {
    assert.equal(manifest.requiredResourceAccess.length, 1);
    const graph = manifest.requiredResourceAccess[0];
    assert.equal(graph.resourceAppId, GRAPH_APP_ID);
    assert.deepEqual(graph.resourceAccess.map((r) => r.id).sort(), Object.values(MIGRATION_APP_ROLES).sort());
  });

  it('asks for application permissions only: no delegated scope, so no user can lend it rights', () => {
    for (const access of manifest.requiredResourceAccess[0].resourceAccess) assert.equal(access.type, 'Role');
  });

  it('is a single-tenant app bound to the ids provisioning writes', () => {
    assert.equal(manifest.signInAudience, 'AzureADMyOrg');
    assert.equal(manifest.id, '${{MIGRATION_APP_OBJECT_ID}}');
    assert.equal(manifest.appId, '${{GRAPH_CLIENT_ID}}');
  });
});

describe("the bot's own Entra app (aad.bot.manifest.json)", () => {
  it('requests no API permission at all: the bot identity never calls Graph', () => {
    const manifest = readJson<EntraManifest>('aad.bot.manifest.json');
    assert.deepEqual(manifest.requiredResourceAccess, []);
    assert.equal(manifest.appId, '${{BOT_ID}}');
    assert.equal(manifest.signInAudience, 'AzureADMyOrg');
  });
});

describe('the Azure resources (infra/azure.bicep)', () => {
  const bicep = readText('infra/azure.bicep');
  const botBicep = readText('infra/botRegistration/azurebot.bicep');
  const params = bicepParams('infra/azure.bicep');
  const parameterFile = readJson<{ parameters: Record<string, { value: string }> }>('infra/azure.parameters.json');

  it('runs the bot on Linux App Service with Node 22 LTS, HTTPS only, checking /healthz', () => {
    assert.match(bicep, /linuxFxVersion: 'NODE\|22-lts'/);
    assert.match(bicep, /httpsOnly: true/);
    assert.match(bicep, /healthCheckPath: '\/healthz'/);
    assert.match(bicep, /reserved: true/);
  });

  it('registers a single-tenant Azure Bot connected to Microsoft Teams at /api/messages', () => {
    assert.match(botBicep, /Microsoft\.BotService\/botServices@/);
    assert.match(botBicep, /name: 'MsTeamsChannel'/);
    assert.match(botBicep, /endpoint: 'https:\/\/\$\{botAppDomain\}\/api\/messages'/);
    assert.match(bicep, /module azureBot '\.\/botRegistration\/azurebot\.bicep'/);
  });

  it("creates the ledger's tables and the state blob container in a locked-down storage account", () => {
    assert.match(bicep, /tableServices\/tables@/);
    assert.match(bicep, /blobServices\/containers@/);
    assert.match(bicep, /allowBlobPublicAccess: false/);
    assert.match(bicep, /minimumTlsVersion: 'TLS1_2'/);
    // The table names must be the ones the table store uses (src/store/table-store.ts).
    const store = readText('src/store/table-store.ts');
    const prefix = /DEFAULT_TABLE_PREFIX = '(\w+)'/.exec(store)![1];
    const suffixes = [.../const TABLES = \{([^}]*)\}/.exec(store)![1].matchAll(/'(\w+)'/g)].map((m) => m[1]);
    assert.ok(suffixes.length > 0);
    for (const suffix of suffixes) assert.ok(bicep.includes(`'${prefix}${suffix}'`), `table ${prefix}${suffix} is not created`);
  });

  it('gives the bot every configuration variable as an app setting, except PORT which App Service sets', () => {
    for (const name of CONFIG_VARIABLES) {
      if (name === 'PORT') continue;
      assert.ok(bicep.includes(`name: '${name}'`), `${name} is not an app setting`);
    }
    assert.match(bicep, /name: 'LOCAL_MODE'\s+value: 'false'/);
  });

  it('takes every parameter from the parameters file, filled from env/.env.dev', () => {
    const template = readEnvTemplate('dev');
    for (const name of Object.keys(parameterFile.parameters)) assert.ok(params.has(name), `${name} is not a Bicep parameter`);
    for (const [name, { hasDefault }] of params) {
      if (!hasDefault) assert.ok(name in parameterFile.parameters, `required parameter ${name} has no value`);
    }
    for (const name of placeholdersIn(readText('infra/azure.parameters.json'))) {
      assert.ok(name.startsWith('SECRET_') || name in template.vars, `${name} not defined in env/.env.dev`);
    }
  });

  it('passes secrets only into @secure() parameters and never returns one as an output', () => {
    for (const [name, { value }] of Object.entries(parameterFile.parameters)) {
      if (!value.includes('${{SECRET_')) continue;
      assert.match(bicep, new RegExp(`@secure\\(\\)\\n(@description\\([^\\n]*\\)\\n)?param ${name} `), `${name} must be @secure()`);
    }
    const template = readEnvTemplate('dev');
    for (const output of bicepOutputs('infra/azure.bicep')) {
      assert.ok(output in template.vars, `output ${output} is not declared in env/.env.dev`);
      assert.doesNotMatch(output, /SECRET|PASSWORD|KEY|CONNECTION/);
    }
    assert.doesNotMatch(bicep, /^output .*(listKeys|Secret|Password)/m);
  });
});
