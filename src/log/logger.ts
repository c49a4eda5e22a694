import type { DestinationStream, Logger } from 'pino';
import pino from 'pino';

export type { Logger } from 'pino';

/**
 * Field paths pino blanks out wherever they appear. Secrets should never reach a log call in the
 * first place; this is the net under that rule (a token in an error object, a header dump).
 */
const REDACTED_PATHS = [
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'accessToken',
  'access_token',
  'token',
  'authorization',
  'Authorization',
  'headers.authorization',
  'headers.Authorization',
  'req.headers.authorization',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.accessToken',
  '*.token',
  '*.authorization',
  '*.privateKey',
  'privateKey',
];

/** Creates the structured logger; tests pass a destination to capture every line. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'teams-migration-bot' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
