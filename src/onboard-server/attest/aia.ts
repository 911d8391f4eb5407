/**
 * Missing intermediates from a certificate's Authority Information Access "CA Issuers" URL, as
 * Microsoft tells verifiers of Azure's attested document to do. Off unless the operator lists the
 * hosts such a URL may point at (trust.azure.aiaHosts, e.g. www.microsoft.com): a document's
 * certificate chooses the URL, so only allow-listed hosts are ever contacted. What is fetched is
 * only a candidate intermediate: chain.ts still requires a path to a configured root.
 *
 * Bounded: at most MAX_URLS fetches per verification, FETCH_TIMEOUT_MS each, MAX_BYTES per answer;
 * answers are cached for CACHE_MS and failures for FAILURE_CACHE_MS, so a fleet booting at once
 * fetches each URL once.
 */
import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AuthorityInfoAccessSyntax, Certificate, id_ad_caIssuers, id_pe_authorityInfoAccess } from '@peculiar/asn1-x509';

/** Fetches a URL's body (injectable for tests). Rejects on any failure. */
export type CertificateFetcher = (url: URL, signal: AbortSignal) => Promise<Uint8Array>;

const MAX_URLS = 3;
const FETCH_TIMEOUT_MS = 5_000;
const MAX_BYTES = 64 * 1024;
/** A fetched intermediate is reused for an hour (they change rarely, and without notice). */
const CACHE_MS = 3_600_000;
/** A failed URL is not retried for a minute. */
const FAILURE_CACHE_MS = 60_000;

export const fetchWithNodeFetch: CertificateFetcher = async (url, signal) => {
  const res = await fetch(url, { signal, redirect: 'error' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > MAX_BYTES) throw new Error(`answer of ${length} bytes, over ${MAX_BYTES}`);
  // Read chunk by chunk and stop past the limit: without a content-length, arrayBuffer() would
  // hold whatever an allowed host streams for the whole timeout.
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > MAX_BYTES) break; // leaving the loop cancels the stream
    chunks.push(chunk);
  }
  if (size > MAX_BYTES) throw new Error(`answer of more than ${MAX_BYTES} bytes`);
  return new Uint8Array(Buffer.concat(chunks));
};

/** The CA Issuers URLs of a certificate (none when it has no AIA extension or it cannot be read). */
export function caIssuersUrls(cert: X509Certificate): string[] {
  try {
    const ext = AsnConvert.parse(cert.raw, Certificate).tbsCertificate.extensions?.find((e) => e.extnID === id_pe_authorityInfoAccess);
    if (ext === undefined) return [];
    return AsnConvert.parse(ext.extnValue, AuthorityInfoAccessSyntax)
      .filter((d) => d.accessMethod === id_ad_caIssuers && d.accessLocation.uniformResourceIdentifier !== undefined)
      .map((d) => d.accessLocation.uniformResourceIdentifier!);
  } catch {
    return [];
  }
}

function parseCertificates(body: Uint8Array): X509Certificate[] {
  const text = Buffer.from(body).toString('latin1');
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  const certs = pems !== null ? pems.map((p) => new X509Certificate(p)) : [new X509Certificate(Buffer.from(body))];
  for (const c of certs) void c.publicKey;
  return certs;
}

export interface AiaResult {
  readonly certificates: X509Certificate[];
  /** What was tried and why it failed, for the refusal's reason ("" when nothing failed). */
  readonly notes: string;
}

/** A per-verifier cache and fetcher of AIA intermediates. */
export class AiaFetcher {
  private readonly cache = new Map<string, { until: number; certs?: X509Certificate[]; error?: string }>();

  constructor(private readonly fetcher: CertificateFetcher = fetchWithNodeFetch, private readonly clock: () => number = Date.now) {}

  /** Fetches the CA Issuers of `certs` whose URL is http(s) on one of `hosts`. */
  async intermediatesFor(certs: readonly X509Certificate[], hosts: readonly string[]): Promise<AiaResult> {
    const allowed = new Set(hosts.map((h) => h.toLowerCase()));
    const urls: URL[] = [];
    const notes: string[] = [];
    for (const u of new Set(certs.flatMap(caIssuersUrls))) {
      let url: URL;
      try {
        url = new URL(u);
      } catch {
        continue;
      }
      if ((url.protocol === 'http:' || url.protocol === 'https:') && allowed.has(url.hostname.toLowerCase())) urls.push(url);
      else notes.push(`CA Issuers URL ${url.origin} is not on trust.azure.aiaHosts`);
    }
    const out: X509Certificate[] = [];
    for (const url of urls.slice(0, MAX_URLS)) {
      const key = url.href;
      const now = this.clock();
      let hit = this.cache.get(key);
      if (hit === undefined || hit.until <= now) {
        try {
          const certs = parseCertificates(await this.fetcher(url, AbortSignal.timeout(FETCH_TIMEOUT_MS)));
          hit = { until: now + CACHE_MS, certs };
        } catch (err) {
          hit = { until: now + FAILURE_CACHE_MS, error: (err as Error).message };
        }
        this.cache.set(key, hit);
      }
      if (hit.certs !== undefined) out.push(...hit.certs);
      else notes.push(`fetching the intermediate from ${url.href} failed: ${hit.error}`);
    }
    return { certificates: out, notes: notes.join('; ') };
  }
}
