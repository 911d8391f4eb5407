/**
 * Metrics in Prometheus text exposition format 0.0.4: counters, gauges and histograms with
 * labels, each family with # HELP and # TYPE. Registering a name again returns the same family
 * (a restarted component re-creates its metrics); registering it with another type or labels is
 * a programming error. Collectors run at scrape time (process metrics). Metric values never
 * carry secrets: labels are for names and states.
 */
import type { Counter, Gauge, Histogram, Labels, Metrics } from './types.js';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

type Kind = 'counter' | 'gauge' | 'histogram';

interface Series {
  labels: Labels;
  value: number;
  buckets?: number[];
  sum?: number;
}

class Family {
  readonly series = new Map<string, Series>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly kind: Kind,
    readonly labelNames: readonly string[],
    readonly bounds: readonly number[] = [],
  ) {}

  get(labels: Labels = {}): Series {
    const names = Object.keys(labels);
    if (names.length !== this.labelNames.length || !names.every((n) => this.labelNames.includes(n))) {
      throw new Error(`metric ${this.name}: labels {${names.join(',')}} do not match {${this.labelNames.join(',')}}`);
    }
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels: { ...labels }, value: 0, ...(this.kind === 'histogram' ? { buckets: this.bounds.map(() => 0), sum: 0 } : {}) };
      this.series.set(key, s);
    }
    return s;
  }
}

export type Collector = (m: Metrics) => void;

export class MetricsRegistry implements Metrics {
  private readonly families = new Map<string, Family>();
  private readonly collectors: Collector[] = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const f = this.family(name, help, 'counter', labelNames);
    return {
      inc: (labels, by = 1) => {
        if (!(by >= 0)) throw new Error(`metric ${name}: a counter only goes up (got ${by})`);
        f.get(labels).value += by;
      },
    };
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    const f = this.family(name, help, 'gauge', labelNames);
    return { set: (value, labels) => { f.get(labels).value = value; } };
  }

  histogram(name: string, help: string, buckets: readonly number[], labelNames: readonly string[] = []): Histogram {
    const bounds = [...buckets].sort((a, b) => a - b);
    const f = this.family(name, help, 'histogram', labelNames, bounds);
    return {
      observe: (value, labels) => {
        const s = f.get(labels);
        s.value += 1;
        s.sum! += value;
        bounds.forEach((b, i) => { if (value <= b) s.buckets![i]! += 1; });
      },
    };
  }

  /** Runs at every scrape, before rendering (e.g. sets process gauges). */
  addCollector(fn: Collector): void {
    this.collectors.push(fn);
  }

  /** The exposition text (Content-Type: text/plain; version=0.0.4). */
  render(): string {
    for (const c of this.collectors) c(this);
    const out: string[] = [];
    for (const f of [...this.families.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.kind}`);
      for (const s of f.series.values()) {
        if (f.kind !== 'histogram') {
          out.push(`${f.name}${labelText(s.labels)} ${num(s.value)}`);
          continue;
        }
        f.bounds.forEach((b, i) => out.push(`${f.name}_bucket${labelText(s.labels, ['le', num(b)])} ${s.buckets![i]}`));
        out.push(`${f.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${s.value}`);
        out.push(`${f.name}_sum${labelText(s.labels)} ${num(s.sum!)}`, `${f.name}_count${labelText(s.labels)} ${s.value}`);
      }
    }
    return `${out.join('\n')}\n`;
  }

  private family(name: string, help: string, kind: Kind, labelNames: readonly string[], bounds?: readonly number[]): Family {
    if (!NAME.test(name)) throw new Error(`metric name ${JSON.stringify(name)} is not a Prometheus name`);
    for (const l of labelNames) if (!LABEL.test(l) || l.startsWith('__') || l === 'le') throw new Error(`metric ${name}: bad label name ${JSON.stringify(l)}`);
    const existing = this.families.get(name);
    if (existing !== undefined) {
      if (existing.kind !== kind || existing.labelNames.join() !== labelNames.join()) {
        throw new Error(`metric ${name} registered again as ${kind}{${labelNames.join(',')}}, was ${existing.kind}{${existing.labelNames.join(',')}}`);
      }
      return existing;
    }
    const f = new Family(name, help, kind, labelNames, bounds);
    this.families.set(name, f);
    return f;
  }
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabel(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  return pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}
