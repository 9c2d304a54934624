/**
 * A start-up problem the operator fixes (database or Redis unreachable, store file unwritable):
 * main.ts and the CLI print its message as one line instead of a stack trace. Neutral ground, so
 * the store and queue factories both raise it without borrowing from each other.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}
