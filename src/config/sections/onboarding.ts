import { defineSection, f, type SectionProblem } from '../field.js';

export const ONBOARDING_PROVIDERS = ['none', 'aws', 'gcp', 'azure', 'join-token'] as const;
export type OnboardingProvider = (typeof ONBOARDING_PROVIDERS)[number];

/** Where each cloud's metadata service answers when onboarding.metadataUrl is empty. */
export const DEFAULT_METADATA_URLS: Readonly<Record<'aws' | 'gcp' | 'azure', string>> = Object.freeze({
  aws: 'http://169.254.169.254',
  gcp: 'http://metadata.google.internal',
  azure: 'http://169.254.169.254',
});

/**
 * Zero-touch onboarding (owner: onboard, docs/onboarding.md): the platform identity this VM proves
 * to the exchange service (`vmlet onboard-server`) for its WorkloadGroup's files and token.
 */
export const onboardingSection = defineSection('onboarding', 'Zero-touch onboarding: platform identity exchanged for the Istio VM files and token', {
  provider: f.enumOf(ONBOARDING_PROVIDERS, {
    doc: 'Which identity this VM proves to the exchange service: none (files come from istioctl), aws (IMDSv2 identity document), gcp (instance identity token), azure (attested document), join-token (a one-time token in joinTokenFile).',
    default: 'none',
    defaultReason: 'onboarding is opt-in: without it the Istio VM files are put on the VM as before',
    env: ['VMLET_ONBOARDING_PROVIDER'],
  }),
  url: f.string({
    doc: 'Base URL of the exchange service, https only (e.g. https://onboard.example.com:15443).',
    default: '',
    env: ['VMLET_ONBOARDING_URL'],
  }),
  caFile: f.path({
    doc: "PEM file of the CA(s) that signed the exchange service's TLS certificate. Unset: the system's trusted CAs.",
    env: ['VMLET_ONBOARDING_CA_FILE'],
  }),
  audience: f.string({
    doc: "With gcp, the audience requested in the identity token; must equal the service's configured audience. Empty: onboarding.url.",
    default: '',
    env: ['VMLET_ONBOARDING_AUDIENCE'],
  }),
  metadataUrl: f.string({
    doc: 'Base URL of the cloud metadata service. Empty: http://169.254.169.254 (aws, azure), http://metadata.google.internal (gcp).',
    default: '',
    env: ['VMLET_ONBOARDING_METADATA_URL'],
  }),
  joinTokenFile: f.path({
    doc: 'With join-token, the file (mode 0600) holding the one-time join token from `vmlet onboard-server join-token create`.',
    default: '/etc/vmlet/join-token',
    env: ['VMLET_ONBOARDING_JOIN_TOKEN_FILE'],
  }),
  timeout: f.duration({
    doc: 'Upper bound of each request to the metadata service and to the exchange service (ms).',
    default: 10_000,
    defaultReason: 'metadata services answer in milliseconds; a link-local address that does not answer must not hold the boot for long',
    env: ['VMLET_ONBOARDING_TIMEOUT'],
  }),
  retryInitial: f.duration({
    doc: 'First delay before retrying a failed onboarding in `vmlet run` (ms); doubled per attempt, ±20 % jitter.',
    default: 2_000,
    env: ['VMLET_ONBOARDING_RETRY_INITIAL'],
  }),
  retryMax: f.duration({
    doc: 'Longest delay between onboarding attempts (ms).',
    default: 300_000,
    defaultReason: 'five minutes: a refused VM keeps asking (a policy may be added) without loading the service',
    env: ['VMLET_ONBOARDING_RETRY_MAX'],
  }),
  hostsFile: f.path({
    doc: "The hosts file the bundle's entries (istiod's address) go into, as a block vmlet owns between marker lines, replaced atomically.",
    default: '/etc/hosts',
    env: ['VMLET_ONBOARDING_HOSTS_FILE'],
  }),
}, {
  check(v): SectionProblem[] {
    if (v.provider === 'none') return [];
    const out: SectionProblem[] = [];
    if (v.url === '') {
      out.push({ key: 'url', message: `onboarding.provider is ${v.provider} but onboarding.url is empty`, hint: 'set onboarding.url to the exchange service, e.g. https://vmlet-onboard.example.com:15443' });
    } else if (!/^https:\/\/[^/\s]+/.test(v.url) || !URL.canParse(v.url)) {
      out.push({ key: 'url', message: `${JSON.stringify(v.url)} is not an https:// URL`, hint: 'the exchange service hands out a token: it is reached over HTTPS only; write https://host[:port]' });
    }
    if (v.metadataUrl !== '' && (!/^https?:\/\//.test(v.metadataUrl) || !URL.canParse(v.metadataUrl))) {
      out.push({ key: 'metadataUrl', message: `${JSON.stringify(v.metadataUrl)} is not an http:// URL`, hint: 'leave it empty for the cloud\'s own address, or write http://host[:port]' });
    }
    if (v.retryMax < v.retryInitial) {
      out.push({ key: 'retryMax', message: `retryMax (${v.retryMax} ms) is below retryInitial (${v.retryInitial} ms)`, hint: 'make retryMax at least retryInitial' });
    }
    if (v.timeout <= 0) out.push({ key: 'timeout', message: 'is zero', hint: 'give a bound such as "10s"' });
    return out;
  },
});
