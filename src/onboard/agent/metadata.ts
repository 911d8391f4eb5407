/**
 * Asking a cloud metadata service: one request, and the VmletError an operator can act on when it
 * fails (which URL, what happened, the provider's usual fix). Shared by the three collectors.
 */
import { VmletError } from '../../errors.js';
import { errorCode, send, type HttpAnswer, type HttpRequest } from './http.js';
import '../errors.js';

export interface MetadataOptions {
  /** Base URL, e.g. http://169.254.169.254 (a trailing slash is fine). */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** The fix to print when the metadata service does not answer at all, per provider. */
export const UNREACHABLE_FIX = {
  aws: 'check that the instance metadata service is enabled (aws ec2 modify-instance-metadata-options --http-endpoint enabled); inside a container the IMDSv2 token needs a PUT response hop limit of 2 (--http-put-response-hop-limit 2) or host networking; set onboarding.metadataUrl only when IMDS is elsewhere',
  gcp: 'check that this is a Compute Engine VM and that metadata.google.internal resolves (to 169.254.169.254); set onboarding.metadataUrl only when the metadata server is elsewhere',
  azure: 'check that this is an Azure VM and that 169.254.169.254 is reached on the primary NIC (IMDS refuses proxied requests); set onboarding.metadataUrl only when IMDS is elsewhere',
} as const;

export type MetadataProvider = keyof typeof UNREACHABLE_FIX;

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** Sends one request to the metadata service; transport failures become VMLET_ONBOARD_METADATA_UNREACHABLE. */
export async function askMetadata(
  provider: MetadataProvider,
  opts: MetadataOptions,
  req: Omit<HttpRequest, 'timeoutMs' | 'url' | 'signal'> & { path: string; what: string },
): Promise<HttpAnswer & { url: string }> {
  const url = joinUrl(opts.baseUrl, req.path);
  try {
    const answer = await send({ method: req.method, url, timeoutMs: opts.timeoutMs, ...(req.headers ? { headers: req.headers } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    return { ...answer, url };
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw new VmletError('VMLET_ONBOARD_METADATA_UNREACHABLE',
      `the ${provider} metadata service did not answer ${req.what} (${req.method} ${url}): ${errorCode(err)}; ${UNREACHABLE_FIX[provider]}`,
      { cause: err, details: { url, provider } });
  }
}

/** A metadata answer that is not 200: VMLET_ONBOARD_METADATA_REFUSED with the status and `fix`. */
export function refused(provider: MetadataProvider, what: string, answer: { status: number; body: string; url: string }, fix: string): VmletError {
  const body = answer.body.replace(/\s+/g, ' ').trim().slice(0, 200);
  return new VmletError('VMLET_ONBOARD_METADATA_REFUSED',
    `the ${provider} metadata service refused ${what} (${answer.url}): HTTP ${answer.status}${body ? ` ${JSON.stringify(body)}` : ''}; ${fix}`,
    { details: { url: answer.url, status: answer.status, provider } });
}
