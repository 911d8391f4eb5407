/**
 * Doctor's checks of what is on disk: the configuration (what `vmlet validate` says), the Istio
 * files and the identity store with their permissions, and the istio-token's claims (decoded,
 * never printed: only sub, aud, exp and nbf are shown).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ISTIOCTL_FILE_NAMES, istioTokenPath, STOCK_ISTIO_PATHS } from '../config/istio-files.js';
import { formatProblem } from '../config/problems.js';
import { EXPLANATIONS, explain } from './explain.js';
import { fail, pass, warn, type DoctorContext, type Verdict } from './types.js';

export function checkConfig(ctx: DoctorContext): Verdict {
  const errors = ctx.problems.filter((p) => p.severity === 'error');
  const warnings = ctx.problems.filter((p) => p.severity === 'warning');
  const data = { problems: ctx.problems.map((p) => ({ code: p.code, severity: p.severity, ...(p.file ? { file: p.file } : {}), ...(p.key ? { key: p.key } : {}) })) };
  const first = errors[0] ?? warnings[0];
  if (first === undefined) return pass('vmlet validate finds no problem', data);
  const why = explain(first.code) ?? { cause: first.message, fix: first.hint };
  const saw = `${errors.length} error(s), ${warnings.length} warning(s); first: ${formatProblem(first)}`;
  return errors.length > 0 ? fail(saw, why, data) : warn(saw, why, data);
}

interface FileRule {
  readonly label: string;
  readonly path: string | undefined;
  /** Missing is a failure (else a warning, or fine when `optional`). */
  readonly required: boolean;
  readonly optional?: boolean;
  /** A secret: group or other permission bits are a failure (key) or a warning (token). */
  readonly secret?: 'fail' | 'warn';
}

export function storeDirOf(ctx: DoctorContext): string {
  const c = ctx.load.config;
  return c.identity.storeDir ?? join(c.general.stateDir, 'identity');
}

/** Where cluster.env is read from (istioctl's directory, else the stock path). */
export function clusterEnvPathOf(ctx: DoctorContext): string {
  const c = ctx.load.config;
  return c.istio.clusterEnvPath ?? (c.istio.dir ? join(c.istio.dir, ISTIOCTL_FILE_NAMES.clusterEnv) : STOCK_ISTIO_PATHS.clusterEnv);
}

export function checkFiles(ctx: DoctorContext, hasValidCert: boolean): Verdict {
  const c = ctx.load.config;
  const store = storeDirOf(ctx);
  const rules: FileRule[] = [
    // Where the loader looked when it found nothing: istioctl's directory, else the stock paths.
    { label: 'cluster.env', path: clusterEnvPathOf(ctx), required: true },
    { label: 'mesh.yaml', path: c.istio.meshPath ?? (c.istio.dir ? join(c.istio.dir, ISTIOCTL_FILE_NAMES.mesh) : STOCK_ISTIO_PATHS.mesh), required: true },
    { label: 'root-cert.pem', path: c.istio.rootCertPath ?? (c.istio.dir ? join(c.istio.dir, ISTIOCTL_FILE_NAMES.rootCert) : STOCK_ISTIO_PATHS.rootCert), required: true },
    { label: 'istio-token', path: istioTokenPath(c.istio), required: c.identity.enabled && !hasValidCert, optional: hasValidCert, secret: 'warn' },
    { label: 'key.pem', path: join(store, 'key.pem'), required: false, optional: true, secret: 'fail' },
    { label: 'cert-chain.pem', path: join(store, 'cert-chain.pem'), required: false, optional: true },
  ];
  const seen: Record<string, string> = {};
  const missing: string[] = [];
  const optionalMissing: string[] = [];
  const open: { label: string; mode: string; level: 'fail' | 'warn' }[] = [];
  for (const r of rules) {
    if (r.path === undefined) continue;
    let st;
    try {
      st = statSync(r.path);
    } catch {
      (r.required ? missing : optionalMissing).push(`${r.label} (${r.path})`);
      seen[r.label] = 'missing';
      continue;
    }
    const mode = `0${(st.mode & 0o777).toString(8)}`;
    seen[r.label] = `${mode} uid ${st.uid}`;
    if (r.secret && (st.mode & 0o077) !== 0) open.push({ label: `${r.label} (${r.path})`, mode, level: r.secret });
  }
  const data = { files: seen, storeDir: store };
  const provider = c.onboarding.provider;
  // With onboarding configured, the Istio files (token included) are what onboarding writes:
  // before it has run, their absence is expected (the onboarding check says whether it can).
  const onboardingWrites = provider !== 'none' && missing.length > 0 && missing.every((m) => !m.startsWith('key.pem') && !m.startsWith('cert-chain.pem'));
  if (onboardingWrites) return pass(`not yet on this VM: ${missing.join(', ')}; onboarding will write them (provider ${provider} at ${c.onboarding.url})`, { ...data, onboarding: { provider, url: c.onboarding.url } });
  if (missing.length > 0) return fail(`missing: ${missing.join(', ')}`, EXPLANATIONS.DOCTOR_FILE_MISSING, data);
  const bad = open.find((o) => o.level === 'fail');
  if (bad) return fail(`${bad.label} has mode ${bad.mode}: others than its owner can read the private key`, EXPLANATIONS.DOCTOR_FILE_MODE, data);
  if (open.length > 0) return warn(`${open.map((o) => `${o.label} mode ${o.mode}`).join(', ')}: readable by others than its owner`, EXPLANATIONS.DOCTOR_FILE_MODE, data);
  const notYet = optionalMissing.filter((m) => !m.startsWith('istio-token'));
  return pass(`Istio files present${notYet.length > 0 && !hasValidCert ? '; no stored certificate yet (first start)' : `; key.pem ${seen['key.pem']}`}`, data);
}

export interface TokenClaims {
  readonly sub?: string;
  readonly aud: readonly string[];
  readonly exp?: number;
  readonly nbf?: number;
  readonly iss?: string;
}

/** The claims doctor shows (never the token, never other claims). */
export function claimsOf(token: string): TokenClaims | undefined {
  const part = token.split('.')[1];
  if (part === undefined) return undefined;
  try {
    const p = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    const aud = p.aud === undefined ? [] : Array.isArray(p.aud) ? p.aud.map(String) : [String(p.aud)];
    return {
      ...(typeof p.sub === 'string' ? { sub: p.sub } : {}),
      aud,
      ...(typeof p.exp === 'number' ? { exp: p.exp } : {}),
      ...(typeof p.nbf === 'number' ? { nbf: p.nbf } : {}),
      ...(typeof p.iss === 'string' ? { iss: p.iss } : {}),
    };
  } catch {
    return undefined;
  }
}
