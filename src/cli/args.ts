/**
 * Command-line arguments for every entry point (`pushgate <command>`, `npm start`, `npm run migrate`, the benchmarks):
 * node:util parseArgs, strict. `--help` prints the usage and exits 0 before anything is opened;
 * an unknown or malformed argument is one line on stderr and exit 2 (the usual "usage error").
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command<O extends Options> {
  /** e.g. `npm run migrate -- [options]` */
  usage: string;
  /** One paragraph: what the command does. */
  summary: string;
  /** The options, each with the line --help prints for it. */
  options: O;
  help: { [K in keyof O]: string };
  /** Positional arguments in order (default: none accepted); optional unless `required`, and required ones come first. */
  positionals?: Array<{ name: string; help: string; required?: boolean }>;
  /** Extra lines after the options (environment variables…). */
  notes?: string[];
}

export function usageText<O extends Options>(cmd: Command<O>): string {
  const rows = Object.entries(cmd.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' <value>' : ''}`;
    return `  ${flag.padEnd(28)} ${cmd.help[name] ?? ''}${o.multiple ? ' (repeatable)' : ''}`;
  });
  const args = (cmd.positionals ?? []).map((p) => `  ${(p.required ? `<${p.name}>` : `[${p.name}]`).padEnd(28)} ${p.help}`);
  return [`Usage: ${cmd.usage}`, '', cmd.summary, '', ...(args.length ? ['Arguments:', ...args, ''] : []), 'Options:', ...rows, `  ${'-h, --help'.padEnd(28)} print this help and exit`, ...(cmd.notes?.length ? ['', ...cmd.notes] : []), ''].join('\n');
}

/**
 * Parse `argv` (default: this process's arguments) or exit: 0 after printing the usage for
 * `--help`, 2 with one line naming the problem for anything else it does not know.
 */
export function parseCommandLine<O extends Options>(cmd: Command<O>, argv: string[] = process.argv.slice(2)) {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  const allowed = cmd.positionals?.length ?? 0;
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { ...cmd.options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: allowed > 0 }));
  } catch (err) {
    // parseArgs' messages name the argument ("Unknown option '--frobnicate'"); keep the first sentence.
    usageError((err as Error).message.split('. ')[0]?.replace(/\.$/, '') ?? String(err));
  }
  if (values.help) {
    process.stdout.write(usageText(cmd));
    process.exit(0);
  }
  if (positionals.length > allowed) usageError(`Unexpected argument '${positionals[allowed] ?? ''}'`);
  const missing = cmd.positionals?.find((p, i) => p.required && positionals[i] === undefined);
  if (missing) usageError(`the argument <${missing.name}> is missing`);
  return { values: values as { [K in keyof O]?: OptionValue<O[K]> }, positionals };
}

type OptionValue<T> = T extends { multiple: true } ? (T extends { type: 'string' } ? string[] : boolean[]) : T extends { type: 'string' } ? string : boolean;

/** True when `moduleUrl` (import.meta.url) is the script node was started with, not a module imported by `pushgate`. */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}

/** One line naming the problem, exit 2: for arguments parseArgs accepts but the command does not (e.g. not a number). */
export function usageError(why: string): never {
  process.stderr.write(`pushgate: ${why}; see --help\n`);
  process.exit(2);
}
