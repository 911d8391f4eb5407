/** What `vmlet capture plan` prints: each family's restore payload on a clean host. Pure. */
import { buildPlan } from './rules.js';
import { renderRestore } from './ruleset.js';
import type { CaptureOptions } from './options.js';

export function planText(o: CaptureOptions): string {
  const plan = buildPlan(o);
  const empty = new Map();
  const v6 = plan.v6 === undefined ? '# IPv6 capture is off\n' : renderRestore(plan.v6, empty);
  return `# iptables-restore --noflush (IPv4)\n${renderRestore(plan.v4, empty)}# ip6tables-restore --noflush (IPv6)\n${v6}`;
}
