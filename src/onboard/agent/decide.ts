/**
 * When `vmlet run` onboards: only when the VM has no way left to authenticate to istiod — no
 * valid stored certificate for its namespace and service account (one renews itself) and no
 * valid istio-token (one gets the first certificate). A VM that was off for a week has neither;
 * a VM that merely restarted has at least one, and never onboards again. The same judgement as
 * identity's pre-flight (src/identity/preflight.ts), asked as a question instead of a refusal.
 */
import type { Config } from '../../config/schema.js';
import { istioTokenPath } from '../../config/istio-files.js';
import { isVmletError } from '../../errors.js';

export interface OnboardingDecision {
  readonly needed: boolean;
  /** Why, for the log and `vmlet onboard --dry-run`. */
  readonly why: string;
}

export async function decideOnboarding(config: Config, now: number): Promise<OnboardingDecision> {
  if (config.onboarding.provider === 'none') return { needed: false, why: 'onboarding.provider is none' };
  const id = config.identity;
  if (id.enabled) {
    const [{ CertStore }, { identityStoreDir }] = await Promise.all([import('../../identity/store.js'), import('../../identity/key-prewarm.js')]);
    const stored = new CertStore(identityStoreDir(config)).load();
    if (stored !== undefined && stored.notAfter > now && stored.spiffeId.endsWith(`/ns/${id.namespace}/sa/${id.serviceAccount}`)) {
      return { needed: false, why: `the stored certificate ${stored.spiffeId} is valid until ${new Date(stored.notAfter).toISOString()} and renews itself` };
    }
  }
  const path = istioTokenPath(config.istio);
  const { preflightToken, readToken } = await import('../../identity/token.js');
  const token = readToken(path);
  if (token === undefined) return { needed: true, why: `no valid stored certificate and no istio-token at ${path}` };
  try {
    preflightToken(token, { audience: id.tokenAudience, namespace: id.namespace, serviceAccount: id.serviceAccount, skewMs: id.clockSkew, now, path });
    return { needed: false, why: `the istio-token at ${path} is valid` };
  } catch (err) {
    if (!isVmletError(err)) throw err;
    // A token that is not valid yet is a clock problem: a new one from the service would be too.
    if (err.code === 'VMLET_TOKEN_NOT_YET_VALID') return { needed: false, why: `${err.message} [${err.code}]` };
    return { needed: true, why: `no valid stored certificate, and the istio-token at ${path} is not usable (${err.code})` };
  }
}
