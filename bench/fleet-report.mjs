// The HTML report of bench/fleet.mjs: one self-contained page (inline SVG and CSS, no scripts,
// no external assets, nothing fetched) with the numbers and two timelines: the fleet's start
// (WorkloadEntries registered and Healthy, cumulative; istiod's xDS connections and CSRs per
// second) and istiod's restart (entries reconnected and Healthy again; the reconnect storm).

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/**
 * One timeline: cumulative step lines on the left axis (0..yMax), per-second bars on the right
 * axis, vertical markers. x in seconds from 0 to xMax.
 */
function chart({ title, xMax, yMax, lines, bars, markers }) {
  const legend = [...lines.map((l) => [l.color, l.label]), ...bars.map((b) => [b.color, `${b.label} (right axis)`])];
  const W = 900;
  const H = 330 + legend.length * 16;
  const L = 50;
  const R = 50;
  const T = 30;
  const B = 50 + legend.length * 16;
  const pw = W - L - R;
  const ph = H - T - B;
  const x = (s) => L + (Math.min(Math.max(s, 0), xMax) / xMax) * pw;
  const y = (v) => T + ph - (v / yMax) * ph;
  const barMax = Math.ceil(Math.max(1, ...bars.flatMap((b) => b.bins)) / 4) * 4;
  const yb = (v) => T + ph - (v / barMax) * ph;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`];
  out.push(`<text x="${L}" y="18" class="t">${esc(title)}</text>`);
  const xStep = xMax > 120 ? 30 : xMax > 60 ? 10 : 5;
  for (let s = 0; s <= xMax; s += xStep) out.push(`<line x1="${x(s)}" y1="${T}" x2="${x(s)}" y2="${T + ph}" class="g"/><text x="${x(s)}" y="${T + ph + 16}" class="a" text-anchor="middle">${s}</text>`);
  out.push(`<text x="${L + pw / 2}" y="${T + ph + 32}" class="a" text-anchor="middle">seconds</text>`);
  for (let k = 0; k <= 4; k++) {
    const v = Math.round((yMax * k) / 4);
    out.push(`<text x="${L - 6}" y="${y(v) + 4}" class="a" text-anchor="end">${v}</text>`);
    out.push(`<text x="${L + pw + 6}" y="${yb((barMax * k) / 4) + 4}" class="a">${Math.round((barMax * k) / 4)}</text>`);
  }
  const bw = pw / xMax;
  bars.forEach((b, j) => {
    b.bins.forEach((v, i) => {
      if (v > 0) out.push(`<rect x="${(x(i) + (j * bw) / bars.length).toFixed(1)}" y="${yb(v).toFixed(1)}" width="${Math.max(1, bw / bars.length - 0.5).toFixed(1)}" height="${(T + ph - yb(v)).toFixed(1)}" fill="${b.color}" opacity="0.55"><title>${esc(b.label)}: ${v} in second ${i}</title></rect>`);
    });
  });
  for (const l of lines) {
    const pts = [...l.times].filter(Number.isFinite).sort((a, b) => a - b);
    let d = `M${x(0)},${y(0)}`;
    pts.forEach((t, i) => { d += ` H${x(t).toFixed(1)} V${y(i + 1).toFixed(1)}`; });
    d += ` H${x(xMax)}`;
    out.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="2"><title>${esc(l.label)}</title></path>`);
  }
  for (const m of markers) out.push(`<line x1="${x(m.x)}" y1="${T}" x2="${x(m.x)}" y2="${T + ph}" stroke="#555" stroke-dasharray="4 3"/><text x="${x(m.x) + 3}" y="${T + 12}" class="a">${esc(m.label)}</text>`);
  out.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  legend.forEach(([c, label], i) => out.push(`<rect x="${L}" y="${T + ph + 44 + i * 16}" width="12" height="10" fill="${c}"/><text x="${L + 18}" y="${T + ph + 53 + i * 16}" class="a">${esc(label)}</text>`));
  out.push('</svg>');
  return out.join('\n');
}

const perSecond = (times, from, n) => {
  const bins = new Array(n).fill(0);
  for (const t of times) { const i = Math.floor((t - from) / 1000); if (i >= 0 && i < n) bins[i]++; }
  return bins;
};

/** The whole page, from bench/fleet.mjs's measurements (times: ms since the epoch). */
export function renderFleetReport({ r, rows, t0, tStop, tGone, tBack, tAllBack, agents, istiod, deletions }) {
  const n = agents.length;
  const rel = (t, from) => (Number.isFinite(t) ? (t - from) / 1000 : NaN);
  const of = (kind) => istiod.filter((e) => e.kind === kind).map((e) => e.t);
  const startSpan = Math.ceil(Math.max(10, r.allHealthyS + 5));
  const start = chart({
    title: `Start: ${n} vmlets spawned at 0 s`, xMax: startSpan, yMax: n,
    lines: [
      { label: 'WorkloadEntries registered', color: '#1f77b4', times: agents.map((a) => rel(a.registered, t0)) },
      { label: 'Healthy', color: '#2ca02c', times: agents.map((a) => rel(a.healthy, t0)) },
    ],
    bars: [
      { label: 'xDS connections istiod authenticated per s', color: '#ff7f0e', bins: perSecond(of('xds'), t0, startSpan) },
      { label: 'CSRs per s', color: '#9467bd', bins: perSecond(of('csr'), t0, startSpan) },
    ],
    markers: [],
  });
  const restartSpan = Math.ceil(Math.max(10, (tAllBack - tStop) / 1000 + 5));
  const restart = chart({
    title: `istiod restart (${r.restart === 'kill' ? 'SIGKILL' : 'SIGTERM'}) at 0 s`, xMax: restartSpan, yMax: n,
    lines: [
      { label: 'connected to the new istiod (its connectedAt)', color: '#1f77b4', times: agents.map((a) => rel(a.reconnected, tStop)) },
      { label: 'Healthy again', color: '#2ca02c', times: agents.map((a) => rel(a.healthyAgain, tStop)) },
    ],
    bars: [
      { label: 'xDS connections istiod authenticated per s', color: '#ff7f0e', bins: perSecond(of('xds'), tStop, restartSpan) },
      { label: 'WorkloadEntries deleted per s', color: '#d62728', bins: perSecond(deletions.filter((d) => d.t >= tStop).map((d) => d.t), tStop, restartSpan) },
    ],
    markers: [{ x: rel(tGone, tStop), label: 'istiod exited' }, { x: rel(tBack, tStop), label: 'istiod ready' }],
  });
  const table = rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('\n');
  const perAgent = agents.map((a) => `<tr><td>${esc(a.name)}</td><td>${rel(a.registered, t0).toFixed(1)}</td><td>${rel(a.healthy, t0).toFixed(1)}</td><td>${rel(a.reconnected, tBack).toFixed(1)}</td><td>${rel(a.healthyAgain, tBack).toFixed(1)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vmlet fleet: ${n} agents</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:960px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
td:nth-child(n+2){text-align:right}svg{display:block;margin:1.5em 0}
.t{font:bold 14px system-ui,sans-serif}.a{font:11px system-ui,sans-serif;fill:#333}.g{stroke:#eee}
</style></head><body>
<h1>vmlet fleet: ${n} agents, one istiod</h1>
<p>vmlet ${esc(r.versions.vmlet)} on ${esc(r.nodeCmd)}, ${esc(r.key)} keys, each in its own network namespace with a FAKE Envoy
(Envoy's jittered reconnect backoff); istio.io/istio ${esc(r.versions.istio)}, kube-apiserver ${esc(r.versions.kubernetes)}.
Load average at the end: ${esc(r.load)}. Targets: all Healthy ≤ 60 s after the start and after istiod is back.</p>
<table><tr><th>metric</th><th>value</th></tr>
${table}
</table>
${start}
${restart}
<details><summary>per agent (seconds: registered and Healthy from the start; reconnected and Healthy again from istiod ready)</summary>
<table><tr><th>WorkloadEntry</th><th>registered</th><th>Healthy</th><th>reconnected</th><th>Healthy again</th></tr>
${perAgent}
</table></details>
</body></html>
`;
}
