import { defineSection, f, type SectionProblem } from '../field.js';

/** Keys, certificate lifetime, rotation and the certificate store (owner: identity). */
export const identitySection = defineSection('identity', 'Keys, certificate lifetime, rotation and the certificate store', {
  enabled: f.bool({
    doc: 'Obtain and rotate the workload certificate from istiod. false: no certificate, no identity gate (tests of other capabilities, hosts whose certificates come from files).',
    default: true,
    env: ['VMLET_IDENTITY_ENABLED'],
  }),
  trustDomain: f.string({
    doc: 'Trust domain of the SPIFFE ID requested in the CSR (istiod issues its own mesh trust domain).',
    default: 'cluster.local',
    env: ['TRUST_DOMAIN'],
    clusterEnv: ['TRUST_DOMAIN'],
  }),
  namespace: f.string({
    doc: "The VM's Kubernetes namespace; the token's subject must name it.",
    default: 'default',
    env: ['POD_NAMESPACE'],
    clusterEnv: ['POD_NAMESPACE'],
  }),
  serviceAccount: f.string({
    doc: "The VM's Kubernetes service account; the token's subject must name it.",
    default: 'default',
    env: ['SERVICE_ACCOUNT'],
    clusterEnv: ['SERVICE_ACCOUNT'],
  }),
  tokenAudience: f.string({
    doc: "Audience the istio-token must carry (istiod's TOKEN_AUDIENCES).",
    default: 'istio-ca',
    defaultReason: "istiod's TOKEN_AUDIENCES default and istioctl's token audience",
    env: ['VMLET_TOKEN_AUDIENCE'],
  }),
  clockSkew: f.duration({
    doc: "Allowed clock difference when checking the token's exp and nbf before use (ms).",
    default: 60_000,
    env: ['VMLET_CLOCK_SKEW'],
  }),
  keyAlgorithm: f.enumOf(['RSA', 'ECDSA'] as const, {
    doc: 'Key type of each new key (a fresh key per CSR).',
    default: 'RSA',
    defaultReason: "pilot-agent's default; ECDSA when ECC_SIGNATURE_ALGORITHM=ECDSA",
    env: ['ECC_SIGNATURE_ALGORITHM'],
    clusterEnv: ['ECC_SIGNATURE_ALGORITHM'],
  }),
  eccCurve: f.enumOf(['P256', 'P384'] as const, {
    doc: 'Curve of ECDSA keys.',
    default: 'P256',
    env: ['ECC_CURVE'],
    clusterEnv: ['ECC_CURVE'],
  }),
  rsaKeySize: f.int({
    doc: 'Size of RSA keys in bits (2048 or more).',
    default: 2048,
    min: 2048,
    max: 8192,
    env: ['WORKLOAD_RSA_KEY_SIZE'],
    clusterEnv: ['WORKLOAD_RSA_KEY_SIZE'],
  }),
  certTtl: f.duration({
    doc: 'Requested certificate lifetime (ms; sent to istiod in whole seconds, istiod may shorten it).',
    default: 86_400_000,
    defaultReason: "pilot-agent's SECRET_TTL",
    env: ['SECRET_TTL'],
    clusterEnv: ['SECRET_TTL'],
  }),
  renewRatio: f.number({
    doc: 'Fraction of the lifetime left when the certificate is renewed (0.5: halfway).',
    default: 0.5,
    min: 0,
    max: 1,
    env: ['SECRET_GRACE_PERIOD_RATIO'],
    clusterEnv: ['SECRET_GRACE_PERIOD_RATIO'],
  }),
  renewJitter: f.number({
    doc: 'Random spread added to renewRatio, drawn from [-j, +j].',
    default: 0.01,
    min: 0,
    max: 0.5,
    env: ['SECRET_GRACE_PERIOD_RATIO_JITTER'],
    clusterEnv: ['SECRET_GRACE_PERIOD_RATIO_JITTER'],
  }),
  certSigner: f.string({
    doc: 'Sent to istiod as the CertSigner request metadata (custom signers).',
    default: '',
    env: ['ISTIO_META_CERT_SIGNER'],
    clusterEnv: ['ISTIO_META_CERT_SIGNER'],
  }),
  storeDir: f.path({
    doc: 'Where key.pem (0600), cert-chain.pem and root-cert.pem are kept across restarts. Default: <general.stateDir>/identity.',
    env: ['VMLET_IDENTITY_DIR'],
  }),
  outputCertsDir: f.path({
    doc: 'Optional Istio-compatible copy of key.pem, cert-chain.pem and root-cert.pem for tools that expect them (e.g. /etc/certs).',
    env: ['OUTPUT_CERTS'],
    clusterEnv: ['OUTPUT_CERTS'],
  }),
}, {
  check(v): SectionProblem[] {
    const problems: SectionProblem[] = [];
    if (v.certTtl < 60_000) problems.push({ key: 'certTtl', message: `certTtl (${v.certTtl} ms) is below one minute`, hint: 'use a lifetime of minutes or more (Istio: 24h)' });
    return problems;
  },
});
