import { describe, expect, it } from '@jest/globals';
import { TargetList, type Target } from '../../src/core/targets.js';
import type { NewDelivery } from '../../src/store/types.js';

const target = (provider: string, tokenHash: string): Target => ({ provider, tokenHash, device: null, token: `tok-${tokenHash}`, extras: null });

describe('TargetList', () => {
  it('hands the store its rows in token-hash order, ids drawn in that order (the receipt index is appended, not scattered)', () => {
    const list = new TargetList();
    for (const [p, h] of [['huawei', 'c3'], ['apns', 'a1'], ['huawei', 'f0'], ['huawei', '07'], ['apns', 'b2']] as const) list.add(target(p, h));
    let next = 0;
    const rows = [...list.rows((t): NewDelivery => ({ id: `d${next++}`, provider: t.provider, deviceId: null, tokenEnc: t.token ?? '', tokenHash: t.tokenHash, extras: null, quotaClass: 'default', registered: false }))];
    expect(rows.map((r) => r.tokenHash)).toEqual(['07', 'a1', 'b2', 'c3', 'f0']);
    expect(rows.map((r) => r.id)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
  });

  it('leaves out duplicates per provider and dropped providers', () => {
    const list = new TargetList();
    expect(list.add(target('huawei', 'aa'))).toBe(true);
    expect(list.add(target('huawei', 'aa'))).toBe(false);
    expect(list.add(target('apns', 'aa'))).toBe(true);
    list.add(target('vivo', '00'));
    list.drop('vivo');
    expect([...list.perProvider()]).toEqual([['huawei', 1], ['apns', 1]]);
    expect(list.count).toBe(2);
    expect([...list.rows((t) => ({ id: t.provider, provider: t.provider, deviceId: null, tokenEnc: '', tokenHash: t.tokenHash, extras: null, quotaClass: 'default', registered: false }))].map((r) => r.provider)).toEqual(['huawei', 'apns']);
  });
});
