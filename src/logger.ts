/**
 * JSON logs (pino). Every log object and every child logger's bindings go through the one
 * redaction function (src/privacy/redact.ts): the core's secret keys plus every registered
 * provider's `secretFields`, at any depth, so a vendor's secret is hidden by listing it once in its
 * own definition. Tested in test/api/logging.test.ts and test/privacy/redact.test.ts.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { providers } from '../providers/registry.js';
import { createRedactor, type Redactor } from './privacy/redact.js';

export function createLogger(level: string, destination?: DestinationStream, redactor: Redactor = createRedactor(providers)): Logger {
  const logger = pino({ level, formatters: { log: (obj) => redactor.redact(obj) }, base: { service: 'pushgate' } }, destination);
  // pino serialises a child's bindings once, without the log formatter: redact them on the way in.
  // Children are created from their parent's prototype chain, so theirs inherit this child().
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, redactor.redact(bindings), options);
  } as Logger['child'];
  return logger;
}
