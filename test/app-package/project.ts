/**
 * Shared knowledge for the app-package tests: where the project's deployment files are, how to read
 * them, which variables the bot reads, and which Agents Toolkit actions (with which keys) exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseEnvText, placeholdersIn } from '../../scripts/package-app';

/** Project root: this file runs from dist/test/app-package/. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Reads a project file as text. */
export function readText(relative: string): string {
  return fs.readFileSync(path.join(ROOT, relative), 'utf8');
}

/** Reads a project file as JSON. */
export function readJson<T = Record<string, unknown>>(relative: string): T {
  return JSON.parse(readText(relative)) as T;
}

/** Parses a toolkit project file (teamsapp.yml, teamsapp.local.yml). */
export function readYaml(relative: string): ToolkitProject {
  return parseYaml(readText(relative)) as ToolkitProject;
}

export { parseEnvText, placeholdersIn };

/**
 * Every variable the bot's configuration module reads (src/config/config.ts), in the order the issue
 * lists them. The env templates must document each one.
 */
export const CONFIG_VARIABLES = [
  'PORT',
  'BOT_ID',
  'BOT_PASSWORD',
  'BOT_TENANT_ID',
  'BOT_TYPE',
  'LOCAL_MODE',
  'LOCAL_MODE_ALLOW_REMOTE_GRAPH',
  'DATA_DIR',
  'GRAPH_TENANT_ID',
  'GRAPH_CLIENT_ID',
  'GRAPH_CLIENT_SECRET',
  'GRAPH_CERTIFICATE_PATH',
  'GRAPH_CLOUD',
  'GRAPH_AUTHORITY_HOST',
  'GRAPH_ENDPOINT',
  'GRAPH_API_VERSION',
  'GRAPH_TIMEOUT_SECONDS',
  'ADMIN_ROLE_IDS',
  'ADMIN_GROUP_IDS',
  'ALLOWED_TENANT_IDS',
  'ADMIN_CACHE_SECONDS',
  'LOG_LEVEL',
  'STORAGE_BACKEND',
  'AZURE_STORAGE_CONNECTION_STRING',
  'STATE_BLOB_CONTAINER',
  'REMINDER_AFTER_DAYS',
  'REMINDER_CHECK_MINUTES',
  'BULK_TEAM_RPS',
  'BULK_TENANT_RPS',
  'BULK_CONFIRM_THRESHOLD',
  'BULK_INTENT_SETTLE_SECONDS',
  'PENDING_TTL_MINUTES',
  'PENDING_RETENTION_DAYS',
  'RESTART_COOLDOWN_MINUTES',
  'MAX_TURNS_IN_FLIGHT',
  'USER_COMMANDS_PER_MINUTE',
  'USER_COMMANDS_BURST',
  'IMPORT_THREAD_RPS',
  'IMPORT_MAX_ENTRIES',
  'IMPORT_MAX_EXPORT_GB',
  'IMPORT_MAX_FILE_MB',
  'IMPORT_MAX_COMPRESSION_RATIO',
  'IMPORT_DOWNLOAD_HOSTS',
  'IMPORT_MAX_UPLOAD_MB',
  'IMPORT_CONFIRM_THRESHOLD',
  'IMPORT_EXPORT_RETENTION_DAYS',
] as const;

/** Configuration variables that hold secrets: never assigned in a committed template. */
export const SECRET_CONFIG_VARIABLES = ['BOT_PASSWORD', 'GRAPH_CLIENT_SECRET', 'AZURE_STORAGE_CONNECTION_STRING'] as const;

/** The Microsoft Graph application permissions (app roles) the migration app needs, by their real ids. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const MIGRATION_APP_ROLES: Record<string, string> = {
  'Teamwork.Migrate.All': 'dfb0dd15-61de-45b2-be36-d6a69fba3c79',
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214',
  'Team.ReadBasic.All': '2280dda6-0bfd-44ee-a2f4-cb867cfc4c1e',
  'Channel.ReadBasic.All': '59a6b24b-4225-4393-8165-ebaec5f55d7a',
  'Chat.ReadBasic.All': 'b2e060da-3baf-4687-9611-f4ebc0f0cbde',
  // The import settles a message whose answer was lost by reading the channel back.
  'ChannelMessage.Read.All': '7b2449af-6ccd-4f4d-9f78-e550c193f0d1',
};

/** One step of a lifecycle stage in a toolkit project file. */
export interface ToolkitStep {
  uses: string;
  name?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}

export interface ToolkitProject {
  version: string;
  environmentFolderPath?: string;
  provision?: ToolkitStep[];
  deploy?: ToolkitStep[];
  publish?: ToolkitStep[];
  [key: string]: unknown;
}

/** What an action accepts: its `with` keys and, when it writes variables, its output keys. */
export interface ActionSpec {
  with: { allowed: readonly string[]; required: readonly string[] };
  writes?: { allowed: readonly string[]; required: readonly string[]; secret: readonly string[]; mandatory: boolean };
}

/**
 * The yaml schema version our project files declare, and the actions that schema defines.
 *
 * Source, read for this project: the toolkit's own yaml schema in OfficeDev/microsoft-365-agents-toolkit,
 * `packages/fx-core/resource/yaml-schema/v1.11/yaml.schema.json` (commit 1cb9b45b2f9a32693c58d6ecd94a3bb4a4eca87e;
 * action names from `definitions.lifeCycleArray`, keys from each action's `with` and
 * `writeToEnvironmentFile` definitions), cross-checked against `v1.14/yaml.schema.json` (commit
 * 04ce9d37461249988f70928bc2eb14ae49bae95f) and against the toolkit's bot templates
 * `templates/vsc/ts/default-bot/m365agents.yml.tpl`, `templates/vsc/ts/teams-collaborator-agent/m365agents.local.yml.tpl`
 * and `templates/vsc/ts/graph-connector/m365agents.yml.tpl` (two Entra apps with aadApp/create + aadApp/update).
 * Documented at https://aka.ms/teamsfx-actions. Actions of that schema we did not read in full
 * (apiKey/*, oauth/*, devChannel/*, typeSpec/compile, azureStaticWebApps/*) are left out on purpose:
 * a step using one of them fails these tests until its keys are checked too.
 */
export const YAML_SCHEMA_VERSION = 'v1.11';

const noWrites = undefined;
const aadWrites = {
  allowed: ['clientId', 'objectId', 'clientSecret', 'tenantId', 'authority', 'authorityHost'],
  required: ['clientId', 'objectId'],
  secret: ['clientSecret'],
  mandatory: true,
};

export const KNOWN_ACTIONS: Record<string, ActionSpec> = {
  'aadApp/create': {
    with: {
      allowed: [
        'name',
        'generateClientSecret',
        'generateServicePrincipal',
        'signInAudience',
        'serviceManagementReference',
        'clientSecretExpireDays',
        'clientSecretDescription',
        'uniqueName',
      ],
      required: ['name', 'generateClientSecret', 'signInAudience'],
    },
    writes: aadWrites,
  },
  'aadApp/update': { with: { allowed: ['manifestPath', 'outputFilePath'], required: ['manifestPath', 'outputFilePath'] }, writes: noWrites },
  'arm/deploy': {
    with: { allowed: ['subscriptionId', 'resourceGroupName', 'bicepCliVersion', 'templates'], required: ['subscriptionId', 'resourceGroupName', 'templates'] },
  },
  'azureStorage/enableStaticWebsite': { with: { allowed: ['storageResourceId', 'indexPage', 'errorPage'], required: ['storageResourceId'] } },
  'cli/runNpmCommand': { with: { allowed: ['args', 'workingDirectory'], required: ['args'] } },
  'cli/runDotnetCommand': { with: { allowed: ['args', 'workingDirectory', 'execPath'], required: ['args'] } },
  'cli/runNpxCommand': { with: { allowed: ['args', 'workingDirectory'], required: ['args'] } },
  'azureStorage/deploy': { with: { allowed: ['artifactFolder', 'resourceId', 'workingDirectory', 'ignoreFile'], required: ['artifactFolder', 'resourceId'] } },
  'azureAppService/zipDeploy': {
    with: {
      allowed: ['artifactFolder', 'resourceId', 'workingDirectory', 'ignoreFile', 'dryRun', 'outputZipFile'],
      required: ['artifactFolder', 'resourceId'],
    },
  },
  'azureFunctions/zipDeploy': {
    with: {
      allowed: ['artifactFolder', 'resourceId', 'workingDirectory', 'ignoreFile', 'dryRun', 'outputZipFile'],
      required: ['artifactFolder', 'resourceId'],
    },
  },
  'teamsApp/create': {
    with: { allowed: ['name'], required: ['name'] },
    writes: { allowed: ['teamsAppId'], required: ['teamsAppId'], secret: [], mandatory: true },
  },
  'teamsApp/validateManifest': { with: { allowed: ['manifestPath'], required: ['manifestPath'] } },
  'teamsApp/validateAppPackage': { with: { allowed: ['appPackagePath'], required: ['appPackagePath'] } },
  'teamsApp/validateWithTestCases': { with: { allowed: ['appPackagePath', 'showMessage', 'showProgressBar'], required: ['appPackagePath'] } },
  'teamsApp/zipAppPackage': {
    with: { allowed: ['manifestPath', 'outputZipPath', 'outputFolder'], required: ['manifestPath', 'outputZipPath', 'outputFolder'] },
  },
  'teamsApp/update': { with: { allowed: ['appPackagePath'], required: ['appPackagePath'] } },
  'teamsApp/publishAppPackage': {
    with: { allowed: ['appPackagePath'], required: ['appPackagePath'] },
    writes: { allowed: ['publishedAppId'], required: ['publishedAppId'], secret: [], mandatory: true },
  },
  'teamsApp/extendToM365': {
    with: { allowed: ['appPackagePath', 'scope'], required: ['appPackagePath'] },
    writes: { allowed: ['titleId', 'appId', 'shareLink'], required: ['titleId', 'appId'], secret: [], mandatory: false },
  },
  'botAadApp/create': {
    with: { allowed: ['name'], required: ['name'] },
    writes: { allowed: ['botId', 'botPassword'], required: ['botId', 'botPassword'], secret: ['botPassword'], mandatory: true },
  },
  'botFramework/create': {
    with: { allowed: ['botId', 'name', 'messagingEndpoint', 'description', 'iconUrl', 'channels'], required: ['botId', 'name', 'messagingEndpoint'] },
  },
  'file/createOrUpdateEnvironmentFile': { with: { allowed: ['envs', 'target'], required: ['envs', 'target'] } },
  'file/createOrUpdateJsonFile': { with: { allowed: ['appsettings', 'target', 'content'], required: ['target'] } },
  'devTool/install': {
    with: { allowed: ['devCert', 'func', 'dotnet', 'testTool', 'nodejs'], required: [] },
    writes: { allowed: ['sslCertFile', 'sslKeyFile', 'funcPath', 'dotnetPath'], required: [], secret: [], mandatory: false },
  },
  'spfx/deploy': { with: { allowed: ['createAppCatalogIfNotExist', 'packageSolutionPath'], required: ['packageSolutionPath'] } },
  'teamsApp/copyAppPackageToSPFx': { with: { allowed: ['spfxFolder', 'appPackagePath'], required: ['spfxFolder', 'appPackagePath'] } },
  script: { with: { allowed: ['run', 'workingDirectory', 'shell', 'timeout', 'redirectTo'], required: ['run'] } },
};

/** Top-level keys of a toolkit project file (same source as KNOWN_ACTIONS). */
export const KNOWN_TOP_LEVEL_KEYS = ['projectId', 'environmentFolderPath', 'version', 'additionalMetadata', 'provision', 'deploy', 'publish', 'share'];

/** Keys every step may carry besides its action's `with` and `writeToEnvironmentFile`. */
export const KNOWN_STEP_KEYS = ['uses', 'name', 'env', 'with', 'writeToEnvironmentFile'];

/** Variable-name rules of the schema (`envVarName`, `secretEnvVarName`). */
export const ENV_VAR_NAME = /^[A-Z][A-Z0-9_]*$/;
export const SECRET_ENV_VAR_NAME = /^SECRET_[A-Z0-9_]+$/;

/** All steps of a project file with their stage, in execution order per stage. */
export function stepsOf(project: ToolkitProject): Array<{ stage: string; index: number; step: ToolkitStep }> {
  const out: Array<{ stage: string; index: number; step: ToolkitStep }> = [];
  for (const stage of ['provision', 'deploy', 'publish'] as const) {
    (project[stage] ?? []).forEach((step, index) => out.push({ stage, index, step }));
  }
  return out;
}

/** An env template: its variables and the raw lines (for comments). */
export interface EnvTemplate {
  file: string;
  vars: Record<string, string>;
  lines: string[];
}

/** Reads `env/.env.<env>`. */
export function readEnvTemplate(env: string): EnvTemplate {
  const file = `env/.env.${env}`;
  const text = readText(file);
  return { file, vars: parseEnvText(text), lines: text.split(/\r?\n/) };
}

/** Variables a template documents only in comments, e.g. `# SECRET_BOT_PASSWORD=`. */
export function commentedVariables(template: EnvTemplate): string[] {
  return template.lines.map((line) => /^#\s*([A-Z][A-Z0-9_]*)=/.exec(line.trim())?.[1]).filter((name): name is string => name !== undefined);
}

/** Output names of a Bicep file (the toolkit writes them to env/.env.<env> under these names). */
export function bicepOutputs(relative: string): string[] {
  return [...readText(relative).matchAll(/^output\s+([A-Za-z_][A-Za-z0-9_]*)\s/gm)].map((m) => m[1]);
}

/** Parameter names of a Bicep file, with whether each has a default value. */
export function bicepParams(relative: string): Map<string, { hasDefault: boolean }> {
  const params = new Map<string, { hasDefault: boolean }>();
  for (const m of readText(relative).matchAll(/^param\s+([A-Za-z_][A-Za-z0-9_]*)\s+\w+(\s*=)?/gm)) {
    params.set(m[1], { hasDefault: m[2] !== undefined });
  }
  return params;
}

/** Fills a template's empty, provision-written variables with plausible values for validation. */
export function sampleValues(template: EnvTemplate): Record<string, string> {
  return {
    ...template.vars,
    TEAMS_APP_ID: '3f1c2a9e-5b7d-4c11-9e0a-2b6f8d4c7a10',
    BOT_ID: 'bbbbbbbb-0000-0000-0000-000000000001',
    BOT_DOMAIN: template.vars.TEAMSFX_ENV === 'local' ? 'k7qz9c2m-3978.euw.devtunnels.ms' : 'migbotdev-abc123def4567.azurewebsites.net',
  };
}
