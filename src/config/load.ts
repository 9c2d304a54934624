/**
 * Load the YAML config: `${ENV}` interpolation, one zod validation pass for the core and one per
 * configured vendor, every problem reported at once, the result frozen.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import type { AnyProviderDefinition } from '../../providers/types.js';
import { configSchema, rateLimitSchema, type Config, type RateLimit } from './schema.js';

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
  const problems: string[] = [];
  const interpolated = interpolate(raw, env, [], problems);
  const base = configSchema.safeParse(interpolated);
  if (!base.success) problems.push(...base.error.issues.map((i) => describeIssue(i.path, i.message, i.code === 'unrecognized_keys' ? undefined : getAt(interpolated, i.path))));
  if (!base.success || problems.length) throw new ConfigError(problems, source);

  const byId = new Map(providers.map((p) => [p.id, p]));
  const seenTenants = new Set<string>();
  const tenants = base.data.tenants.map((tenant, ti) => {
    if (seenTenants.has(tenant.id)) problems.push(`tenants[${ti}].id: "${tenant.id}" is used by two tenants; ids must be unique`);
    seenTenants.add(tenant.id);
    const settings: ProviderSettings[] = [];
    for (const [pid, section] of Object.entries(tenant.providers)) {
      const where = ['tenants', ti, 'providers', pid];
      const def = byId.get(pid);
      if (!def) {
        problems.push(`${fmtPath(where)}: unknown provider "${pid}"; expected one of ${[...byId.keys()].join(', ')}`);
        continue;
      }
      const { rateLimit, simulator, ...vendor } = section;
      let rl: RateLimit | undefined;
      if (rateLimit !== undefined) {
        const r = rateLimitSchema.safeParse(rateLimit);
        if (r.success) rl = r.data;
        else problems.push(...r.error.issues.map((i) => describeIssue([...where, 'rateLimit', ...i.path], i.message, getAt(rateLimit, i.path))));
      }
      if (simulator !== undefined && typeof simulator !== 'boolean') problems.push(`${fmtPath([...where, 'simulator'])}: expected true or false`);
      const useSim = simulator === true;
      let config: unknown;
      if (!useSim || Object.keys(vendor).length > 0) {
        const v = (def.configSchema as z.ZodType).safeParse(vendor);
        if (v.success) config = v.data;
        else if (!useSim) problems.push(...v.error.issues.map((i) => describeIssue([...where, ...i.path], i.message, secretSafe(def, i.path, getAt(vendor, i.path)))));
      }
      if (useSim && !def.playground) problems.push(`${fmtPath([...where, 'simulator'])}: provider "${pid}" has no simulator`);
      settings.push({ id: pid, simulator: useSim, config, rateLimit: rl });
    }
    return { ...tenant, providers: settings };
  });
  const keys = new Map<string, string>();
  tenants.forEach((t, ti) =>
    [...t.serverKeys, ...t.clientKeys].forEach((k) => {
      const other = keys.get(k);
      if (other !== undefined && other !== t.id) problems.push(`tenants[${ti}]: an API key of tenant "${t.id}" is also a key of tenant "${other}"; keys must be unique`);
      keys.set(k, t.id);
    }),
  );
  if (problems.length) throw new ConfigError(problems, source);
  return deepFreeze({ ...base.data, tenants });
}

/** `${NAME}` and `${NAME:-default}` in any string value; a missing variable is a reported problem. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: (string | number)[], problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push(`${fmtPath(path)}: environment variable ${name} is not set (referenced as \${${name}})`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, [...path, k], problems)]));
  }
  // YAML numbers that came from "${PORT}" are strings; plain YAML numbers stay numbers.
  return value;
}

const SECRETISH = /secret|key|password|token|passphrase|cert/i;

function secretSafe(def: AnyProviderDefinition, path: PropertyKey[], value: unknown): unknown {
  const last = String(path[path.length - 1] ?? '');
  return def.secretFields.includes(last) || SECRETISH.test(last) ? '(hidden)' : value;
}

function describeIssue(path: PropertyKey[], message: string, value: unknown): string {
  const shown = value === undefined ? 'missing' : SECRETISH.test(String(path[path.length - 1] ?? '')) ? '(hidden)' : JSON.stringify(value);
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
