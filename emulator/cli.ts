#!/usr/bin/env node
/**
 * Command line: `node dist/emulator/cli.js [--port N] [--data-dir D] [--no-limits] [--quiet]`
 * starts the emulator and prints where it listens plus the environment to start the bot with;
 * `--ensure-cert` only creates the TLS certificate and prints its path. Stops on SIGINT/SIGTERM.
 */
import { ensureCertificate, startEmulator } from './index';
import { defaultDataDir } from './cert';

interface CliArgs {
  port: number;
  dataDir: string;
  limits: boolean;
  ensureCertOnly: boolean;
}

function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { port: 0, dataDir: defaultDataDir(), limits: true, ensureCertOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--port') {
      args.port = Number(value());
      if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error('--port must be 0..65535');
    } else if (a === '--data-dir') args.dataDir = value();
    else if (a === '--no-limits') args.limits = false;
    else if (a === '--ensure-cert') args.ensureCertOnly = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: cli.js [--port N] [--data-dir DIR] [--no-limits] | --ensure-cert\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.ensureCertOnly) {
    const { certPath } = await ensureCertificate(args.dataDir);
    process.stdout.write(`${certPath}\n`);
    return;
  }
  const emulator = await startEmulator({ port: args.port, dataDir: args.dataDir, limits: { enabled: args.limits }, quiet: true });
  const i = emulator.info;
  // Credentials of the emulator's fictional apps are printed on purpose: they only exist here.
  process.stdout.write(
    [
      `Microsoft cloud emulator listening on ${i.baseUrl}`,
      `  Entra ID authority host : ${i.authorityHost}/{tenant}`,
      `  Graph                   : ${i.graphEndpoint}/v1.0 and /beta`,
      `  Bot Framework connector : ${i.connectorUrl}`,
      `  Throttling              : ${args.limits ? 'on (spec §5 limits)' : 'off'}`,
      `  Info file               : ${args.dataDir}/emulator.json`,
      '',
      'Start the bot with:',
      `  NODE_EXTRA_CA_CERTS=${i.certPath}`,
      `  GRAPH_AUTHORITY_HOST=${i.authorityHost}`,
      `  GRAPH_ENDPOINT=${i.graphEndpoint}`,
      `  GRAPH_TENANT_ID=${i.tenantId}`,
      `  GRAPH_CLIENT_ID=${i.migrationApp.clientId}`,
      `  GRAPH_CLIENT_SECRET=${i.migrationApp.clientSecret}`,
      `  (or, instead of the secret: GRAPH_CERTIFICATE_PATH=${i.migrationApp.certificatePath})`,
      `  BOT_ID=${i.bot.appId}`,
      `  BOT_PASSWORD=${i.bot.password}`,
      `  ToBotFromChannelOpenIdMetadataUrl=${i.bot.openIdMetadataUrl}`,
      `  ToBotFromEmulatorOpenIdMetadataUrl=${i.bot.openIdMetadataUrl}`,
      `  ToBotFromChannelTokenIssuer=${i.bot.tokenIssuer}`,
      `  ToChannelFromBotLoginUrl=${i.bot.loginUrl}`,
      `  ToChannelFromBotOAuthScope=${i.bot.oauthScope}`,
      `  OAuthUrl=${i.baseUrl}/botframework`,
      '  CallerId=urn:botframework:azure',
      '',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`emulator: ${(e as Error).message}\n`);
  process.exit(1);
});
