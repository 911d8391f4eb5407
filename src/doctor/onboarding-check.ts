/**
 * Doctor's onboarding check (docs/doctor.md, docs/onboarding.md): can this VM onboard when it
 * needs to? onboarding.caFile is readable and a CA; the exchange service answers a challenge over
 * TLS verified with it; the cloud's metadata service hands out this VM's identity (the same
 * requests onboarding makes, with the same collectors); for join-token, the file is there and
 * 0600. Every request is bounded (the smaller of doctor's onboard bound and onboarding.timeout).
 *
 * What it spends: one challenge nonce on the service (it expires unused after 5 minutes; nothing
 * goes in the ledger), and the attestation is collected and thrown away (never sent, never shown).
 * Nothing is exchanged or written and a join token is read, not spent.
 */
import { X509Certificate } from 'node:crypto';
import { DEFAULT_METADATA_URLS } from '../config/sections/onboarding.js';
import { isVmletError } from '../errors.js';
import { readCaFile } from '../onboard/agent/ca-file.js';
import { requestChallenge } from '../onboard/agent/client.js';
import { collectAws } from '../onboard/agent/collect-aws.js';
import { collectAzure } from '../onboard/agent/collect-azure.js';
import { collectGcp } from '../onboard/agent/collect-gcp.js';
import { collectJoinToken } from '../onboard/agent/collect-join-token.js';
import { decideOnboarding } from '../onboard/agent/decide.js';
import { EXPLANATIONS, explain, type Explanation } from './explain.js';
import { fail, pass, skip, warn, type DoctorContext, type Verdict } from './types.js';

interface Part {
  readonly ok: boolean;
  readonly saw: string;
  readonly why?: Explanation;
  /** A problem `vmlet run` refuses at once (exit 2) whether or not it would onboard now. */
  readonly always?: boolean;
}

function failed(err: unknown, what: string): Part {
  if (!isVmletError(err)) return { ok: false, saw: `${what}: ${(err as Error).message}`, why: { cause: 'a bug in vmlet doctor', fix: 'report it with this output' } };
  return { ok: false, saw: `${err.code}: ${err.message.split('; ')[0]}`, why: explain(err.code) ?? { cause: err.message, fix: 'see the message' } };
}

/** caFile: readable, PEM, a CA within its validity period (unset: the system's CAs). */
function caPart(file: string | undefined, now: number): { part: Part; pem?: string } {
  if (file === undefined) return { part: { ok: true, saw: "caFile unset: the system's CAs" } };
  let pem: string | undefined;
  try {
    pem = readCaFile(file);
  } catch (err) {
    return { part: { ...failed(err, 'caFile'), always: true } };
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem!);
  } catch (err) {
    return { part: { ok: false, always: true, saw: `caFile ${file}: the first certificate does not parse (${(err as Error).message})`, why: EXPLANATIONS.VMLET_ONBOARD_CA_FILE } };
  }
  const subject = cert.subject.replace(/\n/g, ', ');
  if (!cert.ca) return { part: { ok: false, always: true, saw: `caFile ${file}: ${subject} is not a CA certificate`, why: EXPLANATIONS.DOCTOR_ONBOARD_CA_NOT_CA } };
  if (Date.parse(cert.validTo) <= now || Date.parse(cert.validFrom) > now) {
    return { part: { ok: false, always: true, saw: `caFile ${file}: ${subject} is valid ${cert.validFrom} to ${cert.validTo}, not now`, why: EXPLANATIONS.DOCTOR_ONBOARD_CA_NOT_CA }, pem: pem! };
  }
  return { part: { ok: true, saw: `caFile ${file}: CA ${subject}` }, pem: pem! };
}

export async function checkOnboarding(ctx: DoctorContext): Promise<Verdict> {
  const c = ctx.load.config;
  const o = c.onboarding;
  if (o.provider === 'none') return skip('onboarding.provider is none: the Istio VM files come from istioctl');
  const timeoutMs = Math.min(ctx.timeouts.onboard, o.timeout);
  const now = ctx.now();
  const decision = await decideOnboarding(c, now);
  const metadataUrl = o.provider === 'join-token' ? undefined : (o.metadataUrl !== '' ? o.metadataUrl : DEFAULT_METADATA_URLS[o.provider]);
  const data: Record<string, unknown> = {
    provider: o.provider, url: o.url, caFile: o.caFile ?? null, needed: decision.needed, why: decision.why, timeoutMs,
    ...(metadataUrl ? { metadataUrl } : { joinTokenFile: o.joinTokenFile }),
  };

  const ca = caPart(o.caFile, now);
  // The service and the metadata service are asked at the same time; each request is bounded.
  const serviceP: Promise<Part & { nonce?: string }> = ca.part.ok
    ? (async () => {
      const t0 = performance.now();
      try {
        const { nonce } = await requestChallenge({ url: o.url, timeoutMs, ...(o.caFile ? { caFile: o.caFile } : {}), ...(ca.pem ? { ca: ca.pem } : {}), now: ctx.now });
        return { ok: true, saw: `service ${o.url} answered a challenge over verified TLS in ${Math.round(performance.now() - t0)} ms`, nonce };
      } catch (err) {
        return failed(err, 'service');
      }
    })()
    : Promise.resolve({ ok: false, saw: 'service not asked (no usable caFile)' });
  const metadataP = (async (): Promise<Part> => {
    const opts = { baseUrl: metadataUrl ?? '', timeoutMs };
    const t0 = performance.now();
    try {
      switch (o.provider) {
        case 'join-token': {
          if (!decision.needed) {
            // After onboarding the join token is spent and removed: its absence is expected.
            try { collectJoinToken(o.joinTokenFile); } catch (err) {
              if (isVmletError(err) && err.code === 'VMLET_ONBOARD_JOIN_TOKEN_MISSING') return { ok: true, saw: `join token ${o.joinTokenFile}: none (not needed now)` };
              throw err;
            }
          } else collectJoinToken(o.joinTokenFile);
          return { ok: true, saw: `join token ${o.joinTokenFile}: present, mode 0600 or stricter` };
        }
        case 'aws': await collectAws(opts); break;
        case 'gcp': await collectGcp(opts, o.audience !== '' ? o.audience : o.url); break;
        // Azure signs the service's nonce into its document; any well-formed one will do here.
        case 'azure': await collectAzure(opts, (await serviceP).nonce ?? 'doctorNonceNotSentToTheService00'); break;
      }
      return { ok: true, saw: `${o.provider} metadata ${metadataUrl} served this VM's identity in ${Math.round(performance.now() - t0)} ms` };
    } catch (err) {
      return failed(err, 'metadata');
    }
  })();
  const parts = [ca.part, await serviceP, await metadataP];
  const saw = parts.map((p) => p.saw).join('; ');
  const bad = parts.find((p) => !p.ok && p.why !== undefined) ?? parts.find((p) => !p.ok);
  if (bad === undefined) return { ...pass(`provider ${o.provider}: ${saw}${decision.needed ? '' : ` (not needed now: ${decision.why})`}`, data), timeoutMs };
  const why = bad.why ?? EXPLANATIONS.VMLET_ONBOARD_SERVICE_UNREACHABLE;
  // A VM that would not onboard now (valid certificate or token) is only warned: it needs
  // onboarding again only once both have expired. A bad caFile stops `vmlet run` either way.
  if (decision.needed || bad.always === true) return { ...fail(`provider ${o.provider}: ${saw}`, why, data), timeoutMs };
  return { ...warn(`provider ${o.provider}, not needed now (${decision.why}), but would fail: ${saw}`, why, data), timeoutMs };
}
