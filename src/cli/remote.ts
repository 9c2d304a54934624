/**
 * What every command that calls a running gateway shares: `--url`/PUSHGATE_URL and
 * `--key`/PUSHGATE_KEY, `--json`, and the exit statuses: 0 done, 1 the API refused (its code,
 * message and fields printed) or could not be reached (one line naming the URL), 2 usage.
 * With --json, stdout carries exactly one JSON document: the API's answer, success or error.
 */
import { parseCommandLine, usageError, type Command, type Options } from './args.js';
import { ApiClient, ApiFailure, ConnectionFailure } from './http-client.js';

/** The playground's address (config/pushgate.yaml: 127.0.0.1, PUSHGATE_PORT default 8080). */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

const REMOTE_OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const REMOTE_HELP = {
  url: `the gateway's base URL (default: $PUSHGATE_URL, else ${DEFAULT_URL})`,
  key: "a server key of your tenant (default: $PUSHGATE_KEY; prefer the variable: arguments show in `ps`)",
  json: "print the API's JSON answer as-is (one document on stdout), for scripts",
};

const REMOTE_NOTES = [
  `Environment: PUSHGATE_URL (default ${DEFAULT_URL}), PUSHGATE_KEY (a server key; required unless --key is given).`,
  "Exit status: 0 done, 1 the API answered an error (its code and fields are printed) or could not be reached, 2 usage error.",
];

export interface Remote {
  api: ApiClient;
  json: boolean;
  /** The time the command started: relative times ("3m ago") are measured from it. */
  now: number;
}

/** Parse `argv` with the command's options plus --url/--key/--json; exits 2 on usage errors, a bad URL or no key. */
export function parseRemote<O extends Options>(cmd: Command<O>, argv: string[], env: NodeJS.ProcessEnv = process.env) {
  const { values, positionals } = parseCommandLine(
    { ...cmd, options: { ...cmd.options, ...REMOTE_OPTIONS }, help: { ...cmd.help, ...REMOTE_HELP }, notes: [...(cmd.notes ?? []), ...REMOTE_NOTES] },
    argv,
  );
  const url = values.url ?? env.PUSHGATE_URL ?? DEFAULT_URL;
  if (!isHttpUrl(url)) usageError(`the gateway URL '${url}' (${values.url !== undefined ? '--url' : 'PUSHGATE_URL'}) is not an http:// or https:// URL`);
  const key = values.key ?? env.PUSHGATE_KEY;
  if (!key) usageError('no API key: pass --key <server key> or set PUSHGATE_KEY');
  const remote: Remote = { api: new ApiClient({ baseUrl: url, key }), json: values.json === true, now: Date.now() };
  return { values, positionals, remote };
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/**
 * Run a command's calls and turn their failures into output and an exit status. `work` answers
 * its own status (e.g. 1 when --wait saw failed deliveries), 0 when it answers nothing.
 */
export async function runRemote(remote: Remote, work: () => Promise<number | void>): Promise<number> {
  try {
    return (await work()) ?? 0;
  } catch (err) {
    if (err instanceof ApiFailure) {
      if (remote.json) printJson(err.body);
      process.stderr.write(describeFailure(err));
      return 1;
    }
    if (err instanceof ConnectionFailure) {
      process.stderr.write(`pushgate: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/**
 * `pushgate: 400 invalid_request: <message>` and a `  - <field>: <message>` line per detail that
 * the message does not already say (pushgate's messages usually quote their details).
 */
export function describeFailure(err: ApiFailure): string {
  const retry = err.retryAfter ? ` (retry after ${err.retryAfter}s)` : '';
  const extra = err.details.filter((d) => !err.message.includes(d.message));
  const lines = [`pushgate: ${err.status} ${err.code}: ${err.message}${retry}`, ...extra.map((d) => `  - ${d.field ? `${d.field}: ` : ''}${d.message}`)];
  return lines.join('\n') + '\n';
}

export function print(text: string): void {
  process.stdout.write(text);
}

export function printJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

/** The answer as JSON with --json, else as `human` renders it. */
export function show<T>(remote: Remote, doc: T, human: (doc: T) => string): void {
  if (remote.json) printJson(doc);
  else print(human(doc));
}

/** `--limit` as the listings take it (1–1000); undefined when not given. */
export function pageLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) usageError(`--limit must be a whole number from 1 to 1000, not '${text}'`);
  return n;
}

export interface Page {
  nextCursor: string | null;
}

/**
 * One page of a listing from `cursor`, or with `all` every page from there, its `key` list
 * concatenated into one document (nextCursor null).
 */
export async function listPages<K extends string, T extends Page & Record<K, unknown[]>>(load: (cursor: string | undefined) => Promise<T>, key: K, all: boolean, cursor?: string): Promise<T> {
  const first = await load(cursor);
  if (!all) return first;
  const rows = [...first[key]];
  let page: T = first;
  while (page.nextCursor !== null) {
    page = await load(page.nextCursor);
    rows.push(...page[key]);
  }
  return { ...page, [key]: rows, nextCursor: null };
}

/** The line under a table when there are more pages. */
export function moreHint(page: Page): string {
  return page.nextCursor === null ? '' : `more: add --cursor ${page.nextCursor} (or --all)\n`;
}
