/**
 * JSON logs (pino) with secrets redacted by path wherever they could appear: auth headers, keys,
 * vendor credentials, tokens. The list is one place, tested in test/api/logging.test.ts.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.authorization',
  '*.Authorization',
  '*.authToken',
  '*.auth_token',
  '*.token',
  '*.tokens',
  '*.accessToken',
  '*.access_token',
  '*.appSecret',
  '*.clientSecret',
  '*.masterSecret',
  '*.secret',
  '*.password',
  '*.privateKey',
  '*.private_key',
  '*.key',
  '*.serverKeys',
  '*.clientKeys',
  '*.encryptionKey',
  '*.receiptSecret',
  'config.security',
  'config.tenants[*].serverKeys',
  'config.tenants[*].clientKeys',
  'config.tenants[*].providers',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'pushgate' } }, destination);
}
