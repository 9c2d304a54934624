/**
 * A small PromQL evaluator for the subset the shipped alert rules and dashboard use, so tests can
 * evaluate the real `expr` strings against two /metrics scrapes (before and after a scenario).
 *
 * Subset: selectors with `=`, `!=`, `=~`, `!~` matchers; `rate`/`increase` over a range (the
 * range is taken to span exactly the two scrapes: increase = after − before, rate = that divided
 * by the range; a series absent from `before` counts from 0); `clamp_min`; `sum`/`min`/`max`/
 * `avg`/`count` with `by (...)`; `+ - * /` and the comparisons `> < >= <= == !=` (filtering, as
 * in PromQL without `bool`). Vector/vector operations match on identical label sets. Anything
 * else (`histogram_quantile`, `offset`, `on(...)`…) parses as a call so metric names can still be
 * listed, but evaluating it throws. Semantics: https://prometheus.io/docs/prometheus/latest/querying/
 */

export type Labels = Record<string, string>;
export interface Sample {
  name: string;
  labels: Labels;
  value: number;
}
export interface Series {
  labels: Labels;
  value: number;
}
type Value = number | Series[];

export type Node =
  | { kind: 'number'; value: number }
  | { kind: 'selector'; name: string; matchers: Matcher[]; rangeSeconds?: number }
  | { kind: 'agg'; op: string; by: string[]; arg: Node }
  | { kind: 'call'; fn: string; args: Node[] }
  | { kind: 'binary'; op: string; left: Node; right: Node };
interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** Parses the Prometheus text exposition format (https://prometheus.io/docs/instrumenting/exposition_formats/). */
export function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)/.exec(line);
    if (!m) throw new Error(`unreadable exposition line: ${line}`);
    const labels: Labels = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?![a-z])|([a-zA-Z_:][a-zA-Z0-9_:]*)|("(?:[^"\\]|\\.)*")|(\[\d+[smhd]\])|(=~|!~|==|!=|>=|<=|[-+*/(){},=<>]))/y;
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'count']);
const COMPARISONS = ['>', '<', '>=', '<=', '==', '!='];

export function parse(expr: string): Node {
  const tokens: string[] = [];
  const end = expr.trimEnd().length;
  for (let at = 0; at < end; at = TOKEN.lastIndex) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(expr);
    if (!m) throw new Error(`cannot read PromQL at "${expr.slice(at)}"`);
    tokens.push(m[0].trim());
  }
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++] ?? '';
  const expect = (t: string) => {
    if (next() !== t) throw new Error(`expected "${t}" in ${expr}`);
  };
  const labelList = (): string[] => {
    expect('(');
    const out: string[] = [];
    while (peek() !== ')') {
      out.push(next());
      if (peek() === ',') next();
    }
    expect(')');
    return out;
  };
  const binary = (ops: string[], sub: () => Node) => (): Node => {
    let left = sub();
    while (ops.includes(peek() ?? '')) left = { kind: 'binary', op: next(), left, right: sub() };
    return left;
  };
  const primary = (): Node => {
    const t = next();
    if (/^\d/.test(t)) return { kind: 'number', value: Number(t) };
    if (t === '(') {
      const inner = comparison();
      expect(')');
      return inner;
    }
    if (AGGREGATIONS.has(t)) {
      // `by (...)` may come before or after the argument.
      const byClause = () => (peek() === 'by' ? (next(), labelList()) : undefined);
      const before = byClause();
      expect('(');
      const arg = comparison();
      expect(')');
      return { kind: 'agg', op: t, by: before ?? byClause() ?? [], arg };
    }
    if (peek() === '(') {
      next();
      const args: Node[] = [];
      while (peek() !== ')') {
        args.push(comparison());
        if (peek() === ',') next();
      }
      expect(')');
      return { kind: 'call', fn: t, args };
    }
    if (!/^[a-zA-Z_:]/.test(t)) throw new Error(`unexpected "${t}" in ${expr}`);
    const matchers: Matcher[] = [];
    if (peek() === '{') {
      next();
      while (peek() !== '}') {
        const label = next();
        const op = next() as Matcher['op'];
        matchers.push({ label, op, value: JSON.parse(next()) as string });
        if (peek() === ',') next();
      }
      expect('}');
    }
    const range = peek()?.startsWith('[') ? next() : undefined;
    const unit = { s: 1, m: 60, h: 3600, d: 86400 };
    return { kind: 'selector', name: t, matchers, ...(range ? { rangeSeconds: Number(range.slice(1, -2)) * unit[range.at(-2) as keyof typeof unit] } : {}) };
  };
  const product = binary(['*', '/'], primary);
  const sum = binary(['+', '-'], product);
  const comparison = binary(COMPARISONS, sum);
  const root = comparison();
  if (i !== tokens.length) throw new Error(`unexpected "${peek()}" in ${expr}`);
  return root;
}

/** Every metric name an expression selects (for "does it exist in /metrics" checks). */
export function metricNames(node: Node): string[] {
  switch (node.kind) {
    case 'selector':
      return [node.name];
    case 'agg':
      return metricNames(node.arg);
    case 'call':
      return node.args.flatMap(metricNames);
    case 'binary':
      return [...metricNames(node.left), ...metricNames(node.right)];
    default:
      return [];
  }
}

/** Every (metric, label) pair an expression relies on: matcher labels, and `by` labels of what it aggregates. */
export function labelUses(node: Node): Array<{ metric: string; label: string }> {
  switch (node.kind) {
    case 'selector':
      return node.matchers.map((m) => ({ metric: node.name, label: m.label }));
    case 'agg':
      return [...labelUses(node.arg), ...metricNames(node.arg).flatMap((metric) => node.by.map((label) => ({ metric, label })))];
    case 'call':
      return node.args.flatMap(labelUses);
    case 'binary':
      return [...labelUses(node.left), ...labelUses(node.right)];
    default:
      return [];
  }
}

/** Evaluates `expr` (or a parsed node of it) over the scrapes taken before and after the scenario. */
export function evaluate(expr: string | Node, before: Sample[], after: Sample[]): Value {
  return evalNode(typeof expr === 'string' ? parse(expr) : expr, before, after);
}

function evalNode(n: Node, before: Sample[], after: Sample[]): Value {
  switch (n.kind) {
    case 'number':
      return n.value;
    case 'selector':
      if (n.rangeSeconds !== undefined) throw new Error(`range vector ${n.name} outside rate/increase`);
      return select(n, after).map((s) => ({ labels: s.labels, value: s.value }));
    case 'call':
      return call(n, before, after);
    case 'agg': {
      const groups = new Map<string, { labels: Labels; values: number[] }>();
      for (const s of vector(evalNode(n.arg, before, after), n.op)) {
        const labels = Object.fromEntries(n.by.filter((l) => s.labels[l] !== undefined).map((l) => [l, s.labels[l]!]));
        const key = JSON.stringify(labels);
        (groups.get(key) ?? groups.set(key, { labels, values: [] }).get(key)!).values.push(s.value);
      }
      const fold: Record<string, (v: number[]) => number> = {
        sum: (v) => v.reduce((a, b) => a + b, 0),
        min: (v) => Math.min(...v),
        max: (v) => Math.max(...v),
        avg: (v) => v.reduce((a, b) => a + b, 0) / v.length,
        count: (v) => v.length,
      };
      return [...groups.values()].map((g) => ({ labels: g.labels, value: fold[n.op]!(g.values) }));
    }
    case 'binary':
      return binaryOp(n.op, evalNode(n.left, before, after), evalNode(n.right, before, after));
  }
}

function call(n: Extract<Node, { kind: 'call' }>, before: Sample[], after: Sample[]): Value {
  if (n.fn === 'rate' || n.fn === 'increase') {
    const sel = n.args[0];
    if (sel?.kind !== 'selector' || sel.rangeSeconds === undefined) throw new Error(`${n.fn} needs a range selector`);
    const was = new Map(select(sel, before).map((s) => [key(s.name, s.labels), s.value]));
    return select(sel, after).map((s) => {
      const delta = s.value - (was.get(key(s.name, s.labels)) ?? 0);
      return { labels: withoutName(s.labels), value: n.fn === 'rate' ? delta / sel.rangeSeconds! : delta };
    });
  }
  if (n.fn === 'clamp_min') {
    const [v, min] = [evalNode(n.args[0]!, before, after), evalNode(n.args[1]!, before, after)];
    if (typeof min !== 'number') throw new Error('clamp_min takes a scalar minimum');
    return vector(v, 'clamp_min').map((s) => ({ labels: s.labels, value: Math.max(s.value, min) }));
  }
  throw new Error(`the test PromQL evaluator does not implement ${n.fn}()`);
}

function binaryOp(op: string, l: Value, r: Value): Value {
  const arith: Record<string, (a: number, b: number) => number> = { '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b };
  const cmp: Record<string, (a: number, b: number) => boolean> = { '>': (a, b) => a > b, '<': (a, b) => a < b, '>=': (a, b) => a >= b, '<=': (a, b) => a <= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b };
  if (typeof l === 'number' && typeof r === 'number') return arith[op] ? arith[op](l, r) : Number(cmp[op]!(l, r));
  const pairs: Array<[Series, number]> =
    typeof r === 'number'
      ? (l as Series[]).map((s) => [s, r])
      : typeof l === 'number'
        ? r.map((s) => [s, l])
        : l.flatMap((s): Array<[Series, number]> => {
            const match = r.find((o) => key('', o.labels) === key('', s.labels));
            return match ? [[s, match.value]] : [];
          });
  const swapped = typeof l === 'number';
  // Arithmetic drops the metric name; a comparison keeps the left-hand sample when it holds.
  if (arith[op]) return pairs.map(([s, v]) => ({ labels: withoutName(s.labels), value: swapped ? arith[op]!(v, s.value) : arith[op]!(s.value, v) }));
  return pairs.filter(([s, v]) => (swapped ? cmp[op]!(v, s.value) : cmp[op]!(s.value, v))).map(([s]) => s);
}

function select(sel: Extract<Node, { kind: 'selector' }>, samples: Sample[]): Sample[] {
  return samples.filter(
    (s) =>
      s.name === sel.name &&
      sel.matchers.every((m) => {
        const v = s.labels[m.label] ?? '';
        const re = new RegExp(`^(?:${m.value})$`);
        return m.op === '=' ? v === m.value : m.op === '!=' ? v !== m.value : m.op === '=~' ? re.test(v) : !re.test(v);
      }),
  );
}

function vector(v: Value, where: string): Series[] {
  if (typeof v === 'number') throw new Error(`${where} needs an instant vector, got a scalar`);
  return v;
}

function withoutName(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => k !== '__name__'));
}

function key(name: string, labels: Labels): string {
  return JSON.stringify([name, Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))]);
}
