/**
 * The shipped alert rules and dashboard read the metrics the code exports: the rules' real `expr`
 * strings (from config/prometheus/alerts.yml) are evaluated against /metrics scraped before and
 * after a send with known results, and every metric and label they name must exist.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { evaluate, labelUses, metricNames, parse, parseExposition, type Node, type Sample, type Series } from '../factories/promql.js';
import { hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
}
const rules = (parseYaml(readFileSync('config/prometheus/alerts.yml', 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const rule = (name: string) => rules.find((r) => r.alert === name)!.expr;
const dashboard = JSON.parse(readFileSync('config/grafana/pushgate-dashboard.json', 'utf8')) as {
  panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
  templating: { list: Array<{ query?: string }> };
};
// Prometheus adds `up` (and the job/instance labels) to every scrape target itself.
const SCRAPE_UP: Sample = { name: 'up', labels: { job: 'pushgate', instance: 'pushgate:8080' }, value: 1 };
const lane = { tenant: 'acme', provider: 'huawei' };

let t: TestGateway;
beforeEach(async () => {
  t = await testGateway();
});
afterEach(async () => {
  await t.close();
});

async function scrape(): Promise<Sample[]> {
  return [...parseExposition((await t.http.get('/metrics').expect(200)).text).samples, SCRAPE_UP];
}

/** Sends one message to 10 raw Huawei tokens, `dead` of which the simulator calls invalid; a throttled and a failed round first. */
async function sendTen(dead: number): Promise<void> {
  for (let i = 0; i < dead; i++) t.sim.invalidTokens.add(hwToken(i));
  const tokens = Array.from({ length: 10 }, (_, i) => ({ provider: 'huawei', token: hwToken(i) }));
  const { body } = await t.server('post', '/v1/messages').send({ to: { tokens }, notification: { title: 'a', body: 'b' } }).expect(202);
  t.sim.throttle(1, 1);
  await t.gw.dispatcher.runLane(lane); // 10 × rate_limited, lane paused 1 s
  t.clock.advance(2_000);
  t.sim.fail(1);
  await t.gw.dispatcher.runLane(lane); // 10 × retry (HTTP 500), backed off
  t.clock.advance(120_000);
  await t.gw.dispatcher.runLane(lane); // 10 - dead sent, dead × invalid_token → failed
  const { counts } = (await t.server('get', `/v1/messages/${body.id as string}`).expect(200)).body;
  expect(counts).toMatchObject({ sent: 10 - dead, failed: dead, queued: 0, expired: 0 });
}

/** The rule's comparison split off, so the ratio itself can be checked as well as whether it fires. */
function ratioOf(expr: string): Node {
  const node = parse(expr);
  if (node.kind !== 'binary' || !['>', '<', '>=', '<=', '==', '!='].includes(node.op)) throw new Error(`not a threshold rule: ${expr}`);
  return node.left;
}

function firing(before: Sample[], after: Sample[]): Record<string, Series[]> {
  const out: Record<string, Series[]> = {};
  for (const r of rules) {
    const v = evaluate(r.expr, before, after);
    if (typeof v === 'number') throw new Error(`${r.alert} evaluates to a scalar`);
    if (v.length) out[r.alert] = v;
  }
  return out;
}

describe('alert rules against real scrapes', () => {
  it('PushgateHighFailureRatio reads 60% when 6 of 10 deliveries fail, however many attempts they took', async () => {
    const before = await scrape();
    await sendTen(6);
    const after = await scrape();
    const ratio = evaluate(ratioOf(rule('PushgateHighFailureRatio')), before, after) as Series[];
    expect(ratio).toHaveLength(1);
    expect(ratio[0]!.labels).toEqual(lane);
    expect(ratio[0]!.value).toBeCloseTo(0.6, 10);
    // Every rule evaluated: the failures and the throttled round fire, nothing else does.
    const fired = firing(before, after);
    expect(Object.keys(fired).sort()).toEqual(['PushgateHighFailureRatio', 'PushgateVendorThrottling']);
    expect(fired.PushgateVendorThrottling!.map((s) => s.labels)).toEqual([lane]);
  });

  it('PushgateHighFailureRatio stays quiet at 10% (1 of 10), though 21 of 30 vendor answers were not "sent"', async () => {
    const before = await scrape();
    await sendTen(1);
    const after = await scrape();
    const ratio = evaluate(ratioOf(rule('PushgateHighFailureRatio')), before, after) as Series[];
    expect(ratio.map((s) => s.value)).toEqual([expect.closeTo(0.1, 10)]);
    expect(evaluate(rule('PushgateHighFailureRatio'), before, after)).toEqual([]);
  });

  it('names only metrics and labels that /metrics exports (alerts.yml and the dashboard)', async () => {
    const { types } = parseExposition((await t.http.get('/metrics').expect(200)).text);
    const exprs = [
      ...rules.map((r) => ({ where: `alerts.yml ${r.alert}`, expr: r.expr })),
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((x) => ({ where: `dashboard "${p.title}"`, expr: x.expr }))),
    ];
    // Grafana's label_values(metric, label) is a template query, not PromQL.
    for (const v of dashboard.templating.list) {
      const m = /^label_values\((\w+),\s*(\w+)\)$/.exec(v.query ?? '');
      if (m) exprs.push({ where: 'dashboard variable', expr: `${m[1]}{${m[2]}!=""}` });
    }
    expect(exprs.length).toBeGreaterThan(15);
    const family = (name: string) => (types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, ''));
    const labelNames = (name: string) => {
      const metric = t.gw.registry.getSingleMetric(family(name)) as unknown as { labelNames?: string[] } | undefined;
      return [...(metric?.labelNames ?? []), 'job', 'instance', ...(name.endsWith('_bucket') ? ['le'] : [])];
    };
    const missing: string[] = [];
    for (const { where, expr } of exprs) {
      const node = parse(expr);
      for (const name of metricNames(node)) if (name !== 'up' && !types.has(family(name))) missing.push(`${where}: metric ${name}`);
      for (const { metric, label } of labelUses(node)) if (metric !== 'up' && !labelNames(metric).includes(label)) missing.push(`${where}: label ${label} on ${metric}`);
    }
    expect(missing).toEqual([]);
  });

  it('PushgateWebhookBacklogOld fires once the oldest pending webhook event is over 15 minutes old, without a further wait', () => {
    const at = (age: number) => parseExposition(`pushgate_webhook_outbox_oldest_age_seconds{tenant="acme"} ${age}\n`).samples;
    const webhookRule = rules.find((r) => r.alert === 'PushgateWebhookBacklogOld')!;
    expect(webhookRule.for ?? '0s').toMatch(/^0[smh]?$/);
    expect(evaluate(webhookRule.expr, at(0), at(899))).toEqual([]);
    expect(evaluate(webhookRule.expr, at(0), at(901))).toEqual([{ labels: { tenant: 'acme' }, value: 901 }]);
  });

  it('the test evaluator agrees with PromQL on a worked example', () => {
    const at = (text: string) => parseExposition(text).samples;
    const before = at('x_total{a="1",b="p"} 10\nx_total{a="1",b="q"} 5\n');
    const after = at('x_total{a="1",b="p"} 40\nx_total{a="1",b="q"} 35\nx_total{a="2",b="p"} 60\ng{a="1"} 3\n');
    expect(evaluate('sum by (a) (increase(x_total[1m]))', before, after)).toEqual([
      { labels: { a: '1' }, value: 60 },
      { labels: { a: '2' }, value: 60 },
    ]);
    expect(evaluate('sum by (a) (rate(x_total{b=~"p|z"}[1m])) / clamp_min(sum by (a) (rate(x_total[1m])), 1e-9) > 0.6', before, after)).toEqual([{ labels: { a: '2' }, value: 1 }]);
    expect(evaluate('max by (a) (g) == 3', before, after)).toEqual([{ labels: { a: '1' }, value: 3 }]);
    expect(evaluate('sum(rate(x_total{b!="p"}[5m])) > 0', before, after)).toEqual([{ labels: {}, value: 0.1 }]);
    expect(evaluate('sum(rate(nothing_total[5m])) > 0', before, after)).toEqual([]);
    expect(() => evaluate('histogram_quantile(0.5, x_total)', before, after)).toThrow(/does not implement/);
  });
});
