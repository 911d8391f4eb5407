import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../../src/status/index.js';

describe('Prometheus text exposition', () => {
  it('renders counters, gauges and histograms with HELP, TYPE, labels and cumulative buckets', () => {
    const m = new MetricsRegistry();
    const restarts = m.counter('vmlet_envoy_restarts_total', 'Envoy restarts.', ['reason']);
    restarts.inc({ reason: 'crash' });
    restarts.inc({ reason: 'crash' }, 2);
    restarts.inc({ reason: 'oom "killed"\n' });
    m.gauge('vmlet_cert_expiry_seconds', 'Seconds until the workload certificate expires.').set(86_400);
    const h = m.histogram('vmlet_csr_duration_seconds', 'Time to get a certificate.\\ms', [0.1, 1, 10]);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(20);
    expect(m.render()).toBe([
      '# HELP vmlet_cert_expiry_seconds Seconds until the workload certificate expires.',
      '# TYPE vmlet_cert_expiry_seconds gauge',
      'vmlet_cert_expiry_seconds 86400',
      '# HELP vmlet_csr_duration_seconds Time to get a certificate.\\\\ms',
      '# TYPE vmlet_csr_duration_seconds histogram',
      'vmlet_csr_duration_seconds_bucket{le="0.1"} 1',
      'vmlet_csr_duration_seconds_bucket{le="1"} 2',
      'vmlet_csr_duration_seconds_bucket{le="10"} 2',
      'vmlet_csr_duration_seconds_bucket{le="+Inf"} 3',
      'vmlet_csr_duration_seconds_sum 20.55',
      'vmlet_csr_duration_seconds_count 3',
      '# HELP vmlet_envoy_restarts_total Envoy restarts.',
      '# TYPE vmlet_envoy_restarts_total counter',
      'vmlet_envoy_restarts_total{reason="crash"} 3',
      'vmlet_envoy_restarts_total{reason="oom \\"killed\\"\\n"} 1',
      '',
    ].join('\n'));
  });

  it('registering a name again returns the same family; another type is an error', () => {
    const m = new MetricsRegistry();
    m.counter('vmlet_x_total', 'x').inc();
    m.counter('vmlet_x_total', 'x').inc();
    expect(m.render()).toContain('vmlet_x_total 2');
    expect(() => m.gauge('vmlet_x_total', 'x')).toThrow(/registered again/);
  });

  it.each([
    ['bad name', () => new MetricsRegistry().counter('vmlet-x', 'x')],
    ['reserved label', () => new MetricsRegistry().counter('vmlet_x', 'x', ['le'])],
    ['labels that do not match', () => new MetricsRegistry().counter('vmlet_x', 'x', ['a']).inc({ b: '1' })],
    ['a counter going down', () => new MetricsRegistry().counter('vmlet_x', 'x').inc(undefined, -1)],
  ])('refuses %s', (_what, fn) => {
    expect(fn).toThrow();
  });

  it('runs collectors at scrape time', () => {
    const m = new MetricsRegistry();
    let n = 0;
    const g = m.gauge('vmlet_scrapes', 'Scrapes.');
    m.addCollector(() => g.set(++n));
    m.render();
    expect(m.render()).toContain('vmlet_scrapes 2');
  });
});
