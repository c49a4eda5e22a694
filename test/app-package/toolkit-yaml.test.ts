import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  bicepOutputs,
  commentedVariables,
  CONFIG_VARIABLES,
  ENV_VAR_NAME,
  KNOWN_ACTIONS,
  KNOWN_STEP_KEYS,
  KNOWN_TOP_LEVEL_KEYS,
  placeholdersIn,
  readEnvTemplate,
  readJson,
  readText,
  readYaml,
  ROOT,
  SECRET_ENV_VAR_NAME,
  stepsOf,
  type ToolkitProject,
  type ToolkitStep,
  YAML_SCHEMA_VERSION,
} from './project';

const SIGN_IN_AUDIENCES = ['AzureADMyOrg', 'AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount'];

/** Checks one step against the schema's definition of its action; returns the problems. */
function stepProblems(step: ToolkitStep): string[] {
  const spec = KNOWN_ACTIONS[step.uses];
  if (!spec) return [`unknown action "${step.uses}"`];
  const problems: string[] = [];
  for (const key of Object.keys(step)) {
    if (!KNOWN_STEP_KEYS.includes(key)) problems.push(`unknown step key "${key}"`);
  }
  const withKeys = Object.keys(step.with ?? {});
  for (const key of withKeys) if (!spec.with.allowed.includes(key)) problems.push(`unknown parameter with.${key}`);
  for (const key of spec.with.required) if (!withKeys.includes(key)) problems.push(`missing parameter with.${key}`);

  const writes = step.writeToEnvironmentFile;
  if (writes && !spec.writes) problems.push('this action writes no variables');
  if (spec.writes) {
    if (!writes && spec.writes.mandatory) problems.push('missing writeToEnvironmentFile');
    const required = [...spec.writes.required];
    if (step.uses === 'aadApp/create' && step.with?.generateClientSecret === true) required.push('clientSecret');
    for (const key of required) if (!writes?.[key]) problems.push(`missing writeToEnvironmentFile.${key}`);
    for (const [key, name] of Object.entries(writes ?? {})) {
      if (!spec.writes.allowed.includes(key)) problems.push(`unknown output writeToEnvironmentFile.${key}`);
      const rule = spec.writes.secret.includes(key) ? SECRET_ENV_VAR_NAME : ENV_VAR_NAME;
      if (!rule.test(name)) problems.push(`writeToEnvironmentFile.${key}: "${name}" breaks the naming rule ${rule}`);
      if (!spec.writes.secret.includes(key) && SECRET_ENV_VAR_NAME.test(name)) problems.push(`${name} is not a secret`);
    }
  }

  if (step.uses === 'aadApp/create') {
    if (!SIGN_IN_AUDIENCES.includes(String(step.with?.signInAudience))) problems.push('signInAudience not allowed');
    if (step.with?.generateClientSecret !== true && ('clientSecretExpireDays' in step.with! || 'clientSecretDescription' in step.with!)) {
      problems.push('clientSecret* options need generateClientSecret: true');
    }
  }
  if (step.uses === 'arm/deploy') {
    for (const template of (step.with?.templates ?? []) as Array<Record<string, unknown>>) {
      for (const key of Object.keys(template)) if (!['deploymentName', 'path', 'parameters'].includes(key)) problems.push(`unknown templates[].${key}`);
      if (!template.deploymentName || !template.path) problems.push('templates[] needs deploymentName and path');
    }
  }
  if (step.uses === 'botFramework/create') {
    for (const channel of (step.with?.channels ?? []) as Array<{ name: string }>) {
      if (!['msteams', 'm365extensions'].includes(channel.name)) problems.push(`unknown channel ${channel.name}`);
    }
  }
  return problems;
}

/** Project files a step reads whose `${{VAR}}`s the toolkit expands too. */
function filesReadBy(step: ToolkitStep): string[] {
  const w = step.with ?? {};
  const files: string[] = [];
  if (typeof w.manifestPath === 'string') files.push(w.manifestPath);
  for (const t of (w.templates ?? []) as Array<{ path: string; parameters?: string }>) {
    files.push(t.path);
    if (t.parameters) files.push(t.parameters);
  }
  if (typeof w.ignoreFile === 'string') files.push(w.ignoreFile);
  return files;
}

/** Variables each step produces: its writeToEnvironmentFile, or the Bicep outputs of arm/deploy. */
function producedBy(step: ToolkitStep): string[] {
  const out = Object.values(step.writeToEnvironmentFile ?? {});
  if (step.uses === 'arm/deploy') {
    for (const t of (step.with?.templates ?? []) as Array<{ path: string }>) out.push(...bicepOutputs(t.path));
  }
  return out;
}

/** Variables a step uses: its own placeholders and those of the files it reads. */
function usedBy(step: ToolkitStep): string[] {
  const texts = [
    JSON.stringify(step),
    ...filesReadBy(step)
      .filter((f) => /\.json$/.test(f))
      .map((f) => readText(f)),
  ];
  return [...new Set(texts.flatMap((t) => placeholdersIn(t)))];
}

const projects: Array<{ file: string; env: string }> = [
  { file: 'teamsapp.yml', env: 'dev' },
  { file: 'teamsapp.local.yml', env: 'local' },
];

for (const { file, env } of projects) {
  describe(`${file}, run by the Agents Toolkit for the ${env} environment`, () => {
    let project: ToolkitProject;
    before(() => {
      project = readYaml(file);
    });

    it(`parses and declares yaml schema ${YAML_SCHEMA_VERSION} with env files in ./env`, () => {
      assert.equal(project.version, YAML_SCHEMA_VERSION);
      assert.equal(project.environmentFolderPath, './env');
      assert.ok(
        readText(file).includes(`$schema=https://developer.microsoft.com/json-schemas/teams-toolkit/teamsapp-yaml/${YAML_SCHEMA_VERSION}/yaml.schema.json`),
      );
      for (const key of Object.keys(project)) assert.ok(KNOWN_TOP_LEVEL_KEYS.includes(key), `unknown top-level key ${key}`);
    });

    it('uses only documented actions, each with only its documented keys', () => {
      const problems = stepsOf(project).flatMap(({ stage, index, step }) => stepProblems(step).map((p) => `${stage}[${index}] ${step.uses}: ${p}`));
      assert.deepEqual(problems, []);
    });

    it('points only at files that exist', () => {
      for (const { step } of stepsOf(project)) {
        for (const f of filesReadBy(step)) assert.ok(fs.existsSync(path.join(ROOT, f)), `${step.uses} reads missing ${f}`);
      }
    });

    it(`defines every \${{VAR}} it or its files use in env/.env.${env}, secrets only as SECRET_ outputs of an action`, () => {
      const template = readEnvTemplate(env);
      const commented = commentedVariables(template);
      const steps = stepsOf(project).map((s) => s.step);
      const written = new Set(steps.flatMap(producedBy));
      const used = [...new Set(steps.flatMap(usedBy))];
      const problems: string[] = [];
      for (const name of used) {
        if (SECRET_ENV_VAR_NAME.test(name)) {
          if (!written.has(name)) problems.push(`${name} is a secret no action writes`);
          if (!commented.includes(name)) problems.push(`${name} is not documented in ${template.file}`);
          if (name in template.vars) problems.push(`${name} must not be assigned in the committed ${template.file}`);
        } else if (!(name in template.vars)) {
          problems.push(`${name} is not defined in ${template.file}`);
        }
      }
      assert.deepEqual(problems, []);
    });

    it('produces every generated value before a step needs it', () => {
      const provision = project.provision ?? [];
      const problems: string[] = [];
      provision.forEach((step, index) => {
        for (const name of usedBy(step)) {
          const producer = provision.findIndex((s) => producedBy(s).includes(name));
          if (producer >= index) problems.push(`provision[${index}] ${step.uses} uses ${name} before provision[${producer}] writes it`);
        }
      });
      assert.deepEqual(problems, []);
    });

    it('applies each Entra manifest to the app created for it, under the same display name', () => {
      const provision = project.provision ?? [];
      provision.forEach((step, index) => {
        if (step.uses !== 'aadApp/update') return;
        const manifest = readJson<{ id: string; appId: string; displayName: string }>(String(step.with!.manifestPath));
        const objectIdVar = placeholdersIn(manifest.id)[0];
        const creator = provision.findIndex((s) => s.uses === 'aadApp/create' && s.writeToEnvironmentFile?.objectId === objectIdVar);
        assert.ok(creator >= 0 && creator < index, `${String(step.with!.manifestPath)}: no earlier aadApp/create writes ${objectIdVar}`);
        const create = provision[creator];
        assert.equal(manifest.appId, `\${{${create.writeToEnvironmentFile!.clientId}}}`);
        assert.equal(manifest.displayName, create.with!.name, 'aadApp/update would rename the app');
      });
    });

    it('builds, checks and updates the Teams app package in provision', () => {
      const uses = (project.provision ?? []).map((s) => s.uses);
      for (const action of ['teamsApp/create', 'teamsApp/validateManifest', 'teamsApp/zipAppPackage', 'teamsApp/update'])
        assert.ok(uses.includes(action), action);
      assert.ok(uses.indexOf('teamsApp/zipAppPackage') < uses.indexOf('teamsApp/update'));
      const zip = (project.provision ?? []).find((s) => s.uses === 'teamsApp/zipAppPackage')!;
      assert.equal(zip.with!.outputZipPath, './appPackage/build/appPackage.${{TEAMSFX_ENV}}.zip');
    });
  });
}

describe('teamsapp.yml provisions two identities and the Azure resources, deploys and publishes', () => {
  const project = readYaml('teamsapp.yml');
  const provision = project.provision ?? [];

  it("creates and configures the bot's Entra app and, separately, the migration app from aad.migration.manifest.json", () => {
    const creates = provision.filter((s) => s.uses === 'aadApp/create');
    assert.deepEqual(
      creates.map((s) => s.writeToEnvironmentFile!.clientId),
      ['BOT_ID', 'GRAPH_CLIENT_ID'],
    );
    assert.deepEqual(
      creates.map((s) => s.writeToEnvironmentFile!.clientSecret),
      ['SECRET_BOT_PASSWORD', 'SECRET_GRAPH_CLIENT_SECRET'],
    );
    assert.deepEqual(
      creates.map((s) => s.writeToEnvironmentFile!.tenantId),
      ['BOT_TENANT_ID', 'GRAPH_TENANT_ID'],
    );
    for (const s of creates) assert.equal(s.with!.signInAudience, 'AzureADMyOrg', 'single-tenant apps');
    const updates = provision.filter((s) => s.uses === 'aadApp/update').map((s) => s.with!.manifestPath);
    assert.deepEqual(updates, ['./aad.bot.manifest.json', './aad.migration.manifest.json']);
  });

  it('deploys the Bicep template with its parameters after both apps exist', () => {
    const arm = provision.findIndex((s) => s.uses === 'arm/deploy');
    assert.ok(arm > provision.map((s) => s.uses).lastIndexOf('aadApp/update'));
    assert.deepEqual(provision[arm].with!.templates, [
      { path: './infra/azure.bicep', parameters: './infra/azure.parameters.json', deploymentName: 'Create-resources-for-migration-bot' },
    ]);
  });

  it('builds the bot and zip-deploys it to the App Service that arm/deploy created', () => {
    const deploy = project.deploy ?? [];
    assert.ok(deploy.some((s) => s.uses === 'cli/runNpmCommand' && s.with!.args === 'run build'));
    const zip = deploy.find((s) => s.uses === 'azureAppService/zipDeploy')!;
    assert.equal(zip.with!.resourceId, '${{BOT_AZURE_APP_SERVICE_RESOURCE_ID}}');
    assert.ok(bicepOutputs('infra/azure.bicep').includes('BOT_AZURE_APP_SERVICE_RESOURCE_ID'));
    const ignored = readText(String(zip.with!.ignoreFile));
    for (const pattern of ['node_modules/', 'env/', '*.user', '.localConfigs', 'data/'])
      assert.ok(ignored.split('\n').includes(pattern), `upload must skip ${pattern}`);
  });

  it('publishes the package to the tenant app catalog', () => {
    assert.ok((project.publish ?? []).some((s) => s.uses === 'teamsApp/publishAppPackage'));
  });
});

describe('teamsapp.local.yml debugs the bot in Teams through a dev tunnel', () => {
  const project = readYaml('teamsapp.local.yml');
  const provision = project.provision ?? [];

  it("registers the bot with the Bot Framework at the tunnel's /api/messages, for Teams", () => {
    const bot = provision.find((s) => s.uses === 'botFramework/create')!;
    assert.equal(bot.with!.botId, '${{BOT_ID}}');
    assert.equal(bot.with!.messagingEndpoint, '${{BOT_ENDPOINT}}/api/messages');
    assert.deepEqual(bot.with!.channels, [{ name: 'msteams' }]);
    assert.ok(provision.findIndex((s) => s.writeToEnvironmentFile?.clientId === 'BOT_ID') < provision.indexOf(bot));
  });

  it('creates the migration app from the same Entra manifest as Azure', () => {
    assert.ok(provision.some((s) => s.uses === 'aadApp/create' && s.writeToEnvironmentFile?.clientId === 'GRAPH_CLIENT_ID'));
    assert.ok(provision.some((s) => s.uses === 'aadApp/update' && s.with!.manifestPath === './aad.migration.manifest.json'));
  });

  it('hands the bot every variable it reads, secrets from the SECRET_ outputs', () => {
    const step = (project.deploy ?? []).find((s) => s.uses === 'file/createOrUpdateEnvironmentFile')!;
    assert.equal(step.with!.target, './.localConfigs');
    const envs = step.with!.envs as Record<string, string>;
    // The storage connection string is only needed for the optional table backend; the admin adds it by hand.
    const expected = CONFIG_VARIABLES.filter((v) => v !== 'AZURE_STORAGE_CONNECTION_STRING');
    assert.deepEqual(Object.keys(envs).sort(), [...expected].sort());
    assert.equal(envs.BOT_PASSWORD, '${{SECRET_BOT_PASSWORD}}');
    assert.equal(envs.GRAPH_CLIENT_SECRET, '${{SECRET_GRAPH_CLIENT_SECRET}}');
    for (const [name, value] of Object.entries(envs)) {
      if (!['BOT_PASSWORD', 'GRAPH_CLIENT_SECRET'].includes(name)) assert.equal(value, `\${{${name}}}`);
    }
  });
});

describe('the yaml checks themselves', () => {
  it('reject an unknown action, an unknown key and a secret written to a plain variable', () => {
    assert.deepEqual(stepProblems({ uses: 'teamsApp/deleteEverything' }), ['unknown action "teamsApp/deleteEverything"']);
    assert.deepEqual(stepProblems({ uses: 'cli/runNpmCommand', with: { args: 'ci', cwd: '.' } }), ['unknown parameter with.cwd']);
    const problems = stepProblems({
      uses: 'aadApp/create',
      with: { name: 'x', generateClientSecret: true, signInAudience: 'AzureADMyOrg' },
      writeToEnvironmentFile: { clientId: 'A', objectId: 'B', clientSecret: 'PLAIN_SECRET' },
    });
    assert.ok(
      problems.some((p) => p.includes('PLAIN_SECRET')),
      problems.join('\n'),
    );
  });
});
