/**
 * "Did you mean" for misspelt config keys: the keys a zod schema allows at a path, and the one
 * nearest to what was typed (optimal string alignment distance, so a swap of two letters is one
 * edit).
 */
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  out?: z.ZodType;
  values?: unknown[];
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The keys the object schema at `path` allows; `data` (the whole value) picks the union options it matches. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[], data: unknown): string[] {
  const found = new Set<string>();
  collect(schema, path, data, found);
  return [...found];
}

function collect(schema: z.ZodType, path: readonly PropertyKey[], data: unknown, out: Set<string>): void {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return def.innerType ? collect(def.innerType, path, data, out) : undefined;
    case 'pipe': {
      // preprocess/transform: the keys belong to whichever side is an object schema.
      if (def.in) collect(def.in, path, data, out);
      if (def.out) collect(def.out, path, data, out);
      return;
    }
    case 'union': {
      const options = def.options ?? [];
      const here = path.length === 0 ? data : undefined;
      const matching = options.filter((o) => discriminatorMatches(o, here));
      for (const o of matching.length ? matching : options) collect(o, path, data, out);
      return;
    }
    case 'array':
      if (path.length && def.element) collect(def.element, path.slice(1), child(data, path[0]), out);
      return;
    case 'object': {
      const shape = def.shape ?? {};
      if (!path.length) {
        for (const k of Object.keys(shape)) out.add(k);
        return;
      }
      const next = shape[String(path[0])];
      if (next) collect(next, path.slice(1), child(data, path[0]), out);
      return;
    }
  }
}

/** For a union option that is an object with literal fields (e.g. `driver: sqlite`): does `data` carry them? */
function discriminatorMatches(option: z.ZodType, data: unknown): boolean {
  const def = defOf(option);
  if (def.type !== 'object' || !data || typeof data !== 'object') return false;
  const literals = Object.entries(def.shape ?? {}).filter(([, s]) => defOf(s).type === 'literal');
  return literals.length > 0 && literals.every(([k, s]) => (defOf(s).values ?? []).includes((data as Record<string, unknown>)[k]));
}

function child(data: unknown, key: PropertyKey | undefined): unknown {
  return data && typeof data === 'object' && key !== undefined ? (data as Record<PropertyKey, unknown>)[key] : undefined;
}

/** Optimal string alignment distance (Levenshtein plus swaps of adjacent letters). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate nearest to `typed` (case-insensitive), if it is close enough to be a typo. */
export function nearest(typed: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(typed.toLowerCase(), c.toLowerCase());
    if (dist < bestDistance) [best, bestDistance] = [c, dist];
  }
  // Up to a third of the word may be wrong (at least one letter): "tenats" → "tenants", "foo" → nothing.
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(Math.max(typed.length, best.length) / 3)) ? best : undefined;
}

/** `<key>: unknown key; did you mean "<nearest>"?`, or the allowed keys when nothing is close. */
export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const near = nearest(key, allowed);
  if (near !== undefined) return `unknown key; did you mean "${near}"?`;
  return allowed.length ? `unknown key; expected one of ${allowed.join(', ')}` : 'unknown key; remove it';
}
