import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Fields that hold secrets, blanked wherever a log call passes them (defense in depth: no code
 * logs a secret on purpose).
 */
export const REDACTED_LOG_PATHS = [
  'secret',
  '*.secret',
  '*.*.secret',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.*.headers.authorization',
  'apiKey',
  '*.apiKey',
  'credentials',
  '*.credentials',
  '*.*.credentials',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'AWS_SECRET_ACCESS_KEY',
  '*.AWS_SECRET_ACCESS_KEY',
  'TRAINYARD_API_KEY',
  '*.TRAINYARD_API_KEY',
];

/** Structured JSON logs on stdout, one object a line; `service` names the process. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
  });
}
