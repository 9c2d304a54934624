/**
 * Load the YAML config: `${ENV}` interpolation, one zod validation pass for the core and one per
 * configured vendor, every problem reported at once, the result frozen.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import type { AnyProviderDefinition } from '../../providers/types.js';
import { createRedactor, type Redactor } from '../privacy/redact.js';
import { configSchema, rateLimitSchema, type Config, type RateLimit } from './schema.js';
import { keysAt, nearest, unknownKeyMessage } from './suggest.js';

export interface ProviderSettings {
  id: string;
  /** Start this vendor's in-process simulator and use the config it hands back (playground). */
  simulator: boolean;
  /** The vendor's own config, validated; undefined when `simulator` is true and none was given. */
  config: unknown;
  rateLimit: RateLimit | undefined;
}

export interface LoadedConfig extends Omit<Config, 'tenants'> {
  tenants: Array<Omit<Config['tenants'][number], 'providers'> & { providers: ProviderSettings[] }>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[], source: string) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv, providers: readonly AnyProviderDefinition[]): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read the config file: ${(err as Error).message} (set PUSHGATE_CONFIG to its path)`], file);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError([`not valid YAML: ${(err as Error).message}`], file);
  }
  return parseConfig(raw, env, providers, file);
}

export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv, providers: readonly AnyProviderDefinition[], source = 'config'): LoadedConfig {
  // Every check runs on whatever parsed, so one report names every problem: environment, schema,
  // vendor sections and the files they name (checked by each vendor's own schema).
  const problems: string[] = [];
  const unset = new Set<string>();
  // Values shown in the report pass the same redaction as the logs: no secret is ever echoed.
  const redactor = createRedactor(providers);
  const interpolated = interpolate(raw, env, [], problems, unset);
  const base = configSchema.safeParse(interpolated);
  if (!base.success) problems.push(...describeIssues(base.error.issues, [], configSchema, interpolated, unset, redactor));

  const byId = new Map(providers.map((p) => [p.id, p]));
  const rawTenants = Array.isArray(child(interpolated, 'tenants')) ? (child(interpolated, 'tenants') as unknown[]) : [];
  const seenTenants = new Set<string>();
  const keys = new Map<string, string>();
  const settingsOf = rawTenants.map((tenant, ti) => {
    const id = child(tenant, 'id');
    if (typeof id === 'string') {
      if (seenTenants.has(id)) problems.push(`tenants[${ti}].id: "${id}" is used by two tenants; ids must be unique`);
      seenTenants.add(id);
      for (const k of [child(tenant, 'serverKeys'), child(tenant, 'clientKeys')].flatMap((v) => (Array.isArray(v) ? v : []))) {
        if (typeof k !== 'string') continue;
        const other = keys.get(k);
        if (other !== undefined && other !== id) problems.push(`tenants[${ti}]: an API key of tenant "${id}" is also a key of tenant "${other}"; keys must be unique`);
        keys.set(k, id);
      }
    }
    const sections = child(tenant, 'providers');
    if (!isPlainObject(sections)) return []; // the core schema reported it
    return Object.entries(sections).flatMap(([pid, section]) => {
      const s = isPlainObject(section) ? providerSettings(pid, section, ['tenants', ti, 'providers', pid], byId, problems, unset, redactor) : undefined;
      return s ? [s] : [];
    });
  });
  if (!base.success || problems.length) throw new ConfigError(problems, source);
  const tenants = base.data.tenants.map((tenant, ti) => ({ ...tenant, providers: settingsOf[ti] ?? [] }));
  return deepFreeze({ ...base.data, tenants });
}

/** One tenant's section for one vendor: the vendor's schema, plus the core's rateLimit and simulator. */
function providerSettings(
  pid: string,
  section: Record<string, unknown>,
  where: (string | number)[],
  byId: Map<string, AnyProviderDefinition>,
  problems: string[],
  unset: Set<string>,
  redactor: Redactor,
): ProviderSettings | undefined {
  const def = byId.get(pid);
  if (!def) {
    const near = nearest(pid, [...byId.keys()]);
    problems.push(`${fmtPath(where)}: unknown provider "${pid}"; ${near ? `did you mean "${near}"? ` : ''}expected one of ${[...byId.keys()].join(', ')}`);
    return undefined;
  }
  const { rateLimit, simulator, ...vendor } = section;
  let rl: RateLimit | undefined;
  if (rateLimit !== undefined) {
    const r = rateLimitSchema.safeParse(rateLimit);
    if (r.success) rl = r.data;
    else problems.push(...describeIssues(r.error.issues, [...where, 'rateLimit'], rateLimitSchema, rateLimit, unset, redactor));
  }
  if (simulator !== undefined && typeof simulator !== 'boolean') problems.push(`${fmtPath([...where, 'simulator'])}: expected true or false`);
  const useSim = simulator === true;
  let config: unknown;
  if (!useSim || Object.keys(vendor).length > 0) {
    const v = (def.configSchema as z.ZodType).safeParse(vendor);
    if (v.success) config = v.data;
    else if (!useSim) problems.push(...describeIssues(v.error.issues, where, def.configSchema as z.ZodType, vendor, unset, redactor, ['rateLimit', 'simulator']));
  }
  if (useSim && !def.playground) problems.push(`${fmtPath([...where, 'simulator'])}: provider "${pid}" has no simulator`);
  return { id: pid, simulator: useSim, config, rateLimit: rl };
}

type Issue = z.core.$ZodIssue;

/**
 * zod issues → problem lines under `prefix`. Unknown keys suggest the nearest allowed one; a field
 * whose `${ENV}` was unset is reported once, as the unset variable, not again as an empty value.
 */
function describeIssues(issues: readonly Issue[], prefix: (string | number)[], schema: z.ZodType, data: unknown, unset: Set<string>, redactor: Redactor, extraKeys: string[] = []): string[] {
  const out: string[] = [];
  for (const i of issues) {
    const path = [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (unset.has(fmtPath(path))) continue;
    if (i.code === 'unrecognized_keys') {
      const allowed = [...keysAt(schema, i.path, data), ...(i.path.length ? [] : extraKeys)];
      for (const k of i.keys) out.push(`${fmtPath([...path, k])}: ${unknownKeyMessage(k, allowed)}`);
      continue;
    }
    const value = getAt(data, i.path);
    out.push(describeIssue(path, i.message, value === undefined || !redactor.hidesPath(path) ? redactor.redact(value) : HIDDEN));
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(v: unknown, key: string): unknown {
  return isPlainObject(v) ? v[key] : undefined;
}

/** `${NAME}` and `${NAME:-default}` in any string value; a missing variable is a reported problem. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: (string | number)[], problems: string[], unset: Set<string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push(`${fmtPath(path)}: environment variable ${name} is not set (referenced as \${${name}})`);
      unset.add(fmtPath(path));
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], problems, unset));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, [...path, k], problems, unset)]));
  }
  // YAML numbers that came from "${PORT}" are strings; plain YAML numbers stay numbers.
  return value;
}

/** What a config problem shows instead of a secret value. */
const HIDDEN = Symbol('hidden');

function describeIssue(path: PropertyKey[], message: string, value: unknown): string {
  const shown = value === undefined ? 'missing' : value === HIDDEN ? '(hidden)' : JSON.stringify(value);
  // A message that already quotes the value (a file path it could not read) needs no "(got …)".
  if (typeof value === 'string' && value !== '' && message.includes(value)) return `${fmtPath(path)}: ${message}`;
  return `${fmtPath(path)}: ${message} (got ${shown})`;
}

function fmtPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '') || '(root)';
}

function getAt(obj: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
