/**
 * Applies, verifies and removes vmlet's capture rules through an IptablesRunner: per family one
 * iptables-save (what is there: the drift check, and what makes removal exact), one
 * `iptables-restore --noflush --wait` transaction (the payload replaces vmlet's part and nothing
 * else), one iptables-save to verify; a check that finds no drift stops after the first save.
 * Foreign rules are never named in a payload, so they survive every step.
 */
import { VmletError } from '../errors.js';
import { detectBackend, type Backend, type BackendName } from './backend.js';
import type { Family } from './cidr.js';
import type { CapturePlan, FamilyRules } from './rules.js';
import { compareOwned, ownedPart, parseSave, renderRestore, type Drift, type Ruleset } from './ruleset.js';
import type { IptablesRunner } from './runner.js';
import './errors.js';

export interface FamilyStatus {
  readonly family: Family;
  /** false when this family's tools are missing (IPv6 on a host without ip6tables). */
  readonly available: boolean;
  /** vmlet chains present. */
  readonly installed: boolean;
  readonly drift: readonly Drift[];
}

export interface ExecutorOptions {
  readonly runner: IptablesRunner;
  readonly backend: 'auto' | BackendName;
}

export class CaptureExecutor {
  private backendP: Promise<Backend> | undefined;

  constructor(private readonly opts: ExecutorOptions) {}

  backend(): Promise<Backend> {
    this.backendP ??= detectBackend(this.opts.runner, this.opts.backend).catch((err: unknown) => {
      this.backendP = undefined;
      throw err;
    });
    return this.backendP;
  }

  /** The current ruleset of one family, or undefined when its -save does not run. */
  async save(family: Family): Promise<Ruleset | undefined> {
    const b = await this.backend();
    const r = await this.opts.runner.run(b.save(family), []);
    return r.code === 0 ? parseSave(r.stdout) : undefined;
  }

  private async restore(family: Family, payload: string): Promise<void> {
    const b = await this.backend();
    const r = await this.opts.runner.run(b.restore(family), ['--noflush', '--wait'], payload);
    if (r.code !== 0) {
      throw new VmletError('VMLET_CAPTURE_RESTORE_FAILED', `${b.restore(family)} --noflush failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(0, 3).join(' | ')}`, { details: { family, backend: b.name } });
    }
  }

  /** Makes one family's vmlet part equal `want` (undefined = none); verifies. Returns the drift found before. */
  async converge(family: Family, want: FamilyRules | undefined): Promise<{ changed: boolean; before: readonly Drift[] }> {
    const current = await this.save(family);
    if (current === undefined) {
      if (want === undefined) return { changed: false, before: [] };
      const b = await this.backend();
      throw new VmletError('VMLET_CAPTURE_NO_BACKEND', `${b.save(family)} does not run; install iptables (IPv${family}) or set capture.ipv6=false`, { details: { family } });
    }
    const before = compareOwned(want, current);
    if (before.length === 0) return { changed: false, before };
    await this.restore(family, renderRestore(want, current));
    const after = await this.save(family);
    const left = after === undefined ? [{ table: 'nat' as const, what: 'save failed after restore' }] : compareOwned(want, after);
    if (left.length > 0) {
      throw new VmletError('VMLET_CAPTURE_VERIFY_FAILED', `IPv${family} rules differ from the plan after applying: ${left.map((d) => `${d.table}: ${d.what}`).join('; ')}`, { details: { family } });
    }
    return { changed: true, before };
  }

  /** Applies both families (IPv6 leftovers are removed when the plan has no IPv6). */
  async apply(plan: CapturePlan): Promise<{ changed: boolean; drift: readonly Drift[] }> {
    const v4 = await this.converge(4, plan.v4);
    const v6 = await this.converge(6, plan.v6);
    return { changed: v4.changed || v6.changed, drift: [...v4.before, ...v6.before] };
  }

  async remove(): Promise<{ changed: boolean }> {
    const v4 = await this.converge(4, undefined);
    const v6 = await this.converge(6, undefined);
    return { changed: v4.changed || v6.changed };
  }

  async status(plan: CapturePlan | undefined): Promise<FamilyStatus[]> {
    const out: FamilyStatus[] = [];
    for (const family of [4, 6] as const) {
      const current = await this.save(family);
      const want = plan === undefined ? undefined : family === 4 ? plan.v4 : plan.v6;
      if (current === undefined) {
        out.push({ family, available: false, installed: false, drift: [] });
        continue;
      }
      const installed = ['nat', 'raw'].some((t) => ownedPart(current.get(t)).chains.length > 0);
      out.push({ family, available: true, installed, drift: plan === undefined ? [] : compareOwned(want, current) });
    }
    return out;
  }
}
