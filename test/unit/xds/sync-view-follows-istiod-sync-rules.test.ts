// The xDS view's per-type state follows istiod's rule (what istioctl proxy-status shows):
// NOT SENT before a response, STALE until the last nonce is answered, SYNCED when it is, NACKED
// while the last answer is a NACK; a new stream starts over. And how `vmlet proxy-status` prints it.
import { describe, expect, it } from 'vitest';
import { XdsSyncView, shortType } from '../../../src/xds/sync-view.js';
import { humanDuration, renderProxyStatus } from '../../../src/cli/proxy-status.js';

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const NDS = 'type.googleapis.com/istio.networking.nds.v1.NameTable';

function clockAt(start: number) {
  let t = start;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

describe('XdsSyncView', () => {
  it('NOT SENT → STALE → SYNCED → STALE (new push) → NACKED → SYNCED', () => {
    const c = clockAt(Date.parse('2026-12-05T10:00:00Z'));
    const v = new XdsSyncView(c.now);
    v.streamOpened('sotw');
    const state = () => v.view().types.find((t) => t.typeUrl === LDS)?.state;
    v.answered(LDS, '', '', undefined);
    expect(state()).toBe('NOT SENT');
    expect(v.view().types[0]?.requestedAt).toBe('2026-12-05T10:00:00.000Z');
    v.sent(LDS, 'v1', 'n1', 3);
    expect(state()).toBe('STALE');
    c.advance(1000);
    expect(v.answered(LDS, 'n1', 'v1', undefined)).toBeUndefined();
    expect(state()).toBe('SYNCED');
    v.sent(LDS, 'v2', 'n2', 4);
    expect(state()).toBe('STALE');
    const nack = v.answered(LDS, 'n2', 'v1', 'bad listener');
    expect(nack).toMatchObject({ kind: 'NACK', nonce: 'n2', version: 'v1', error: 'bad listener', by: 'envoy' });
    expect(state()).toBe('NACKED');
    expect(v.isNacked(LDS)).toBe(true);
    expect(v.nacked().map((t) => t.short)).toEqual(['LDS']);
    v.sent(LDS, 'v3', 'n3', 4);
    expect(state()).toBe('NACKED'); // as istiod: the error stands until an ACK
    v.answered(LDS, 'n3', 'v3', undefined);
    expect(state()).toBe('SYNCED');
    const t = v.view().types[0]!;
    expect(t.nacks).toBe(1);
    expect(t.lastNack?.error).toBe('bad listener');
  });

  it('delta answers carry no version: the view names the one sent with that nonce', () => {
    const v = new XdsSyncView();
    v.streamOpened('delta');
    v.sent(CDS, 'sys-7', 'd1', 12);
    v.answered(CDS, 'd1', '', undefined);
    expect(v.view().types[0]?.answer).toMatchObject({ kind: 'ACK', version: 'sys-7' });
  });

  it('a new stream forgets the old one; CDS, LDS first, then others; vmlet answers for consumed types', () => {
    const v = new XdsSyncView();
    v.streamOpened('sotw');
    v.sent(LDS, 'v1', 'n1', 1);
    v.streamClosed();
    expect(v.view().stream?.open).toBe(false);
    v.streamOpened('delta');
    expect(v.view()).toMatchObject({ stream: { flavor: 'delta', open: true }, types: [] });
    v.sent(NDS, 'v1', 'x', 1);
    v.answered(NDS, 'x', 'v1', undefined, 'vmlet');
    v.sent(LDS, 'v1', 'a', 1);
    v.sent(CDS, 'v1', 'b', 1);
    expect(v.view().types.map((t) => t.short)).toEqual(['CDS', 'LDS', 'NDS']);
    expect(v.view().types[2]).toMatchObject({ state: 'SYNCED', answer: { by: 'vmlet' } });
  });

  it('short names as istioctl prints them', () => {
    expect(['envoy.config.endpoint.v3.ClusterLoadAssignment', 'envoy.config.route.v3.RouteConfiguration', 'envoy.config.core.v3.TypedExtensionConfig', 'istio.networking.nds.v1.NameTable', 'istio.mesh.v1alpha1.ProxyConfig', 'some.pkg.Other']
      .map((n) => shortType(`type.googleapis.com/${n}`))).toEqual(['EDS', 'RDS', 'ECDS', 'NDS', 'PCDS', 'Other']);
  });
});

describe('renderProxyStatus', () => {
  it('prints a row per type (IGNORED for core types not subscribed) and the NACK detail', () => {
    const start = Date.parse('2026-12-05T10:00:00Z');
    const c = clockAt(start);
    const v = new XdsSyncView(c.now);
    v.streamOpened('delta');
    v.sent(CDS, 'v1', 'n1', 2);
    v.answered(CDS, 'n1', '', undefined);
    v.sent(LDS, 'v1', 'n2', 1);
    v.answered(LDS, 'n2', '', 'Error adding/updating listener(s) x: bad');
    const out = renderProxyStatus({ node: 'sidecar~10.0.0.2~vm.ns~ns.svc.cluster.local', cluster: 'Kubernetes', istioVersion: '1.29', ...v.view() }, start + 65_000);
    expect(out).toContain('sidecar~10.0.0.2~vm.ns~ns.svc.cluster.local   Kubernetes   delta, open 1m5s');
    expect(out).toMatch(/^CDS\s+SYNCED \(1m5s\)\s+v1\s+n1\s+2\s+ACK 1m5s ago$/m);
    expect(out).toMatch(/^LDS\s+NACKED \(1m5s\)\s+v1\s+n2\s+1\s+NACK 1m5s ago$/m);
    expect(out).toMatch(/^EDS\s+IGNORED\s+-\s+-\s+-\s+not subscribed$/m);
    expect(out).toContain('LDS NACKED: Error adding/updating listener(s) x: bad');
  });

  it('human durations', () => {
    expect([500, 12_000, 184_000, 5 * 3600_000 + 6 * 60_000, 2 * 86_400_000 + 3 * 3600_000].map(humanDuration)).toEqual(['500ms', '12s', '3m4s', '5h6m', '2d3h']);
  });
});
