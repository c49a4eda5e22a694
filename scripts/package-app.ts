/**
 * Builds the Teams app package `appPackage/build/appPackage.<env>.zip` (manifest.json, color.png,
 * outline.png) the same way the Agents Toolkit's `teamsApp/zipAppPackage` does, without the toolkit:
 * every `${{VAR}}` in `appPackage/manifest.json` is replaced with its value from `env/.env.<env>`,
 * then `env/.env.<env>.user` when present, then the process environment (which wins, as it does for
 * the bot's own configuration). The filled manifest is validated offline against the official schema
 * shipped in `@microsoft/app-manifest` before anything is written.
 *
 * Run: `npm run package [-- <env>]` (default env: `TEAMSFX_ENV`, else `dev`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import { AppManifestUtils } from '@microsoft/app-manifest';

/** Matches a toolkit placeholder `${{NAME}}`; group 1 is the name. */
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** What `buildAppPackage` needs; everything but `env` has a sensible default. */
export interface BuildPackageOptions {
  /** Toolkit environment name: `local`, `dev`, … (selects `env/.env.<env>`). */
  env: string;
  /** Project root. Default: two levels above this compiled file (`dist/scripts/..`). */
  rootDir?: string;
  /** Variables that override the env files. Default: `process.env`. */
  environment?: Record<string, string | undefined>;
  /** Where the zip (and the filled `manifest.<env>.json`) go. Default: `<root>/appPackage/build`. */
  outputDir?: string;
}

/** The result of a successful build. */
export interface BuiltPackage {
  zipPath: string;
  /** The filled manifest exactly as zipped. */
  manifest: Record<string, unknown>;
  /** Entry names inside the zip. */
  entries: string[];
}

/** Raised when the package cannot be built; the message names variables and fields, never values. */
export class PackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageError';
  }
}

/**
 * Parses dotenv text as the toolkit writes it: `NAME=value` lines, `#` comments, optional `export `,
 * values optionally in single, double or back quotes (double quotes understand `\n`), and unquoted
 * values ending at ` #`. Returns the variables in file order; later duplicates win.
 */
export function parseEnvText(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1];
    let value = m[2];
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && value.lastIndexOf(quote) > 0) {
      value = value.slice(1, value.lastIndexOf(quote));
      if (quote === '"') value = value.replace(/\\n/g, '\n');
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    vars[name] = value;
  }
  return vars;
}

/** Reads and parses a dotenv file; a missing file yields no variables. */
export function readEnvFile(file: string): Record<string, string> {
  return fs.existsSync(file) ? parseEnvText(fs.readFileSync(file, 'utf8')) : {};
}

/** Lists the distinct `${{VAR}}` names in a text, in order of first appearance. */
export function placeholdersIn(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (!names.includes(m[1])) names.push(m[1]);
  }
  return names;
}

/**
 * Replaces every `${{VAR}}` in `text` with its value from `vars`. A variable that is defined but
 * empty becomes the empty string (as in the toolkit); an undefined one is an error that lists every
 * missing name. Values are JSON-escaped when `jsonStrings` is set, because the manifest's
 * placeholders sit inside JSON string literals.
 */
export function fillPlaceholders(text: string, vars: Record<string, string | undefined>, jsonStrings = false): string {
  const missing = placeholdersIn(text).filter((name) => vars[name] === undefined);
  if (missing.length > 0) {
    throw new PackageError(`These variables are not defined in the env files or the environment: ${missing.join(', ')}`);
  }
  return text.replace(PLACEHOLDER, (_all, name: string) => {
    const value = vars[name]!;
    return jsonStrings ? JSON.stringify(value).slice(1, -1) : value;
  });
}

/**
 * Validates a filled manifest against the schema its `$schema` names, using the copy of that schema
 * bundled in `@microsoft/app-manifest` (no network). Returns the problems, empty when valid.
 */
export async function validateTeamsManifest(manifest: Record<string, unknown>): Promise<string[]> {
  return AppManifestUtils.validateAgainstSchema(manifest as unknown as Parameters<typeof AppManifestUtils.validateAgainstSchema>[0]);
}

/** Merges the variable sources in the toolkit's order; later sources win. */
export function resolveVariables(rootDir: string, env: string, environment: Record<string, string | undefined>): Record<string, string | undefined> {
  const envDir = path.join(rootDir, 'env');
  return {
    ...readEnvFile(path.join(envDir, `.env.${env}`)),
    ...readEnvFile(path.join(envDir, `.env.${env}.user`)),
    ...environment,
  };
}

/**
 * Builds `appPackage.<env>.zip` from `appPackage/manifest.json` and the two icons it names, after
 * filling placeholders and validating the result. Writes the zip and `manifest.<env>.json` to the
 * output folder and returns what was written. Throws `PackageError` (nothing written) when a variable
 * is undefined, the filled manifest breaks the schema, or an icon is missing.
 */
export async function buildAppPackage(options: BuildPackageOptions): Promise<BuiltPackage> {
  const { env } = options;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(env)) throw new PackageError(`Environment name "${env}" must be letters, digits, - or _`);
  const rootDir = options.rootDir ?? path.resolve(__dirname, '..', '..');
  const appDir = path.join(rootDir, 'appPackage');
  const outputDir = options.outputDir ?? path.join(appDir, 'build');
  const template = fs.readFileSync(path.join(appDir, 'manifest.json'), 'utf8');
  const vars = resolveVariables(rootDir, env, options.environment ?? process.env);

  const manifest = JSON.parse(fillPlaceholders(template, vars, true)) as Record<string, unknown>;
  const problems = await validateTeamsManifest(manifest);
  if (problems.length > 0) {
    const empty = placeholdersIn(template).filter((name) => vars[name] === '');
    const hint = empty.length > 0 ? `\nEmpty variables, possibly the cause (run provisioning or set them): ${empty.join(', ')}` : '';
    throw new PackageError(`The filled manifest for "${env}" does not match its schema:\n  ${problems.join('\n  ')}${hint}`);
  }

  const icons = manifest.icons as { color: string; outline: string };
  const zip = new AdmZip();
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  zip.addFile('manifest.json', Buffer.from(manifestText, 'utf8'));
  for (const icon of [icons.color, icons.outline]) {
    const file = path.join(appDir, icon);
    if (!fs.existsSync(file)) throw new PackageError(`Icon ${icon} named in the manifest is missing from appPackage/`);
    zip.addFile(icon, fs.readFileSync(file));
  }

  fs.mkdirSync(outputDir, { recursive: true });
  const zipPath = path.join(outputDir, `appPackage.${env}.zip`);
  zip.writeZip(zipPath);
  fs.writeFileSync(path.join(outputDir, `manifest.${env}.json`), manifestText);
  return { zipPath, manifest, entries: zip.getEntries().map((e) => e.entryName) };
}

if (require.main === module) {
  const env = process.argv[2] ?? process.env.TEAMSFX_ENV ?? 'dev';
  buildAppPackage({ env }).then(
    (built) => process.stdout.write(`Built ${built.zipPath} (${built.entries.join(', ')})\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
