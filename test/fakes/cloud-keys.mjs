/**
 * FAKE cloud signing material for tests: keys and certificates standing in for AWS's regional
 * RSA-2048 certificate, Google's instance-identity signing keys (a JWKS) and Azure's attested-data
 * chain (root -> intermediate -> leaf with SAN metadata.azure.com). None of it is any cloud's real
 * material. Made with the openssl CLI; plain JS so the fake metadata server, .mjs benches and the
 * TypeScript tests (test/helpers/cloud-keys.ts) share one generator.
 *
 * Layout under DIR (idempotent: an existing DIR/keys.json is reused as is):
 *   aws/signer.key aws/rsa2048.pem         the trusted "regional" self-signed cert and its key
 *   aws/other.key  aws/other.pem           a key the server does not trust (re-signed documents)
 *   gcp/signer.key gcp/next.key gcp/other.key, gcp/jwks.json (signer only), gcp/jwks-rotated.json
 *   azure/root.pem azure/intermediate.pem azure/leaf.pem azure/leaf.key     trusted chain
 *   azure/other-root.pem ... other-leaf.key                                 untrusted chain
 *   azure/wrong-san-leaf.pem azure/wrong-san-leaf.key                       trusted chain, SAN evil.example.com
 *   azure/aia-leaf.pem azure/aia-leaf.key                                   trusted chain, AIA CA Issuers = AIA_URL
 *   keys.json                                                               the manifest below
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DAYS = '3650';

function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function serial() {
  return `0x${randomBytes(8).toString('hex')}`;
}

function selfSigned(dir, name, subj, ca) {
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', DAYS, '-set_serial', serial(),
    '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', subj];
  if (ca) args.push('-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl(args, dir);
}

function issued(dir, name, subj, issuer, ext) {
  writeFileSync(join(dir, `${name}.ext`), `[v3]\n${ext}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`);
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj], dir);
  openssl(['x509', '-req', '-sha256', '-days', DAYS, '-set_serial', serial(), '-in', `${name}.csr`,
    '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-extfile', `${name}.ext`, '-extensions', 'v3', '-out', `${name}.pem`], dir);
}

/** The CA Issuers URL in the AIA leaf: a name that never resolves; tests serve it through an injected fetcher. */
export const AIA_URL = 'http://aia.fake.invalid/intermediate.crt';

const CA_EXT = 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign';
const leafExt = (dns) => `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=DNS:${dns}`;

function azureChain(dir, prefix, label) {
  selfSigned(dir, `${prefix}root`, `/O=FAKE/CN=FAKE ${label} Azure Test Root`, true);
  issued(dir, `${prefix}intermediate`, `/O=FAKE/CN=FAKE ${label} Azure Test Intermediate`, `${prefix}root`, CA_EXT);
  issued(dir, `${prefix}leaf`, '/CN=metadata.azure.com', `${prefix}intermediate`, leafExt('metadata.azure.com'));
}

function jwk(keyFile, kid) {
  const pub = createPublicKey(readFileSync(keyFile)).export({ format: 'jwk' });
  return { ...pub, kid, alg: 'RS256', use: 'sig' };
}

/**
 * Makes (or reuses) the FAKE material under `dir` and returns the manifest: file paths, the GCP
 * key ids, and `trust`, the server config's `trust:` section pointing at these files.
 */
export function makeCloudKeys(dir) {
  const manifestFile = join(dir, 'keys.json');
  if (existsSync(manifestFile)) return JSON.parse(readFileSync(manifestFile, 'utf8'));
  const aws = join(dir, 'aws');
  const gcp = join(dir, 'gcp');
  const azure = join(dir, 'azure');
  for (const d of [aws, gcp, azure]) mkdirSync(d, { recursive: true });

  const awsSubj = '/C=US/ST=Washington State/L=Seattle/O=FAKE Amazon Web Services LLC';
  selfSigned(aws, 'signer', awsSubj, false);
  // The trusted cert keeps AWS's file name; its key is what the fake signs with.
  writeFileSync(join(aws, 'rsa2048.pem'), readFileSync(join(aws, 'signer.pem')));
  selfSigned(aws, 'other', '/O=FAKE/CN=FAKE not AWS', false);

  for (const k of ['signer', 'next', 'other']) openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${k}.key`], gcp);
  const kid = randomBytes(20).toString('hex');
  const nextKid = randomBytes(20).toString('hex');
  writeFileSync(join(gcp, 'jwks.json'), JSON.stringify({ keys: [jwk(join(gcp, 'signer.key'), kid)] }, null, 2));
  writeFileSync(join(gcp, 'jwks-rotated.json'), JSON.stringify({ keys: [jwk(join(gcp, 'signer.key'), kid), jwk(join(gcp, 'next.key'), nextKid)] }, null, 2));

  azureChain(azure, '', 'trusted');
  azureChain(azure, 'other-', 'untrusted');
  issued(azure, 'wrong-san-leaf', '/CN=evil.example.com', 'intermediate', leafExt('evil.example.com'));
  // A leaf naming its issuer's URL (AIA CA Issuers), for documents that carry no intermediate.
  issued(azure, 'aia-leaf', '/CN=metadata.azure.com', 'intermediate', `${leafExt('metadata.azure.com')}\nauthorityInfoAccess=caIssuers;URI:${AIA_URL}`);

  const manifest = {
    dir,
    aws: { signerKey: join(aws, 'signer.key'), cert: join(aws, 'rsa2048.pem'), otherKey: join(aws, 'other.key'), otherCert: join(aws, 'other.pem') },
    gcp: {
      signerKey: join(gcp, 'signer.key'), kid, nextKey: join(gcp, 'next.key'), nextKid, otherKey: join(gcp, 'other.key'),
      jwksFile: join(gcp, 'jwks.json'), jwksRotatedFile: join(gcp, 'jwks-rotated.json'),
    },
    azure: {
      root: join(azure, 'root.pem'), intermediate: join(azure, 'intermediate.pem'), leaf: join(azure, 'leaf.pem'), leafKey: join(azure, 'leaf.key'),
      otherRoot: join(azure, 'other-root.pem'), otherIntermediate: join(azure, 'other-intermediate.pem'),
      otherLeaf: join(azure, 'other-leaf.pem'), otherLeafKey: join(azure, 'other-leaf.key'),
      wrongSanLeaf: join(azure, 'wrong-san-leaf.pem'), wrongSanLeafKey: join(azure, 'wrong-san-leaf.key'),
      aiaLeaf: join(azure, 'aia-leaf.pem'), aiaLeafKey: join(azure, 'aia-leaf.key'),
    },
    trust: {
      aws: { certificates: [join(aws, 'rsa2048.pem')] },
      gcp: { jwksFile: join(gcp, 'jwks.json'), jwksUrl: '', issuer: 'https://accounts.google.com', maxAge: '1h' },
      azure: { roots: [join(azure, 'root.pem')], sanSuffixes: ['metadata.azure.com'] },
    },
  };
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  return manifest;
}

/**
 * A PKCS#7 SignedData (DER) embedding `content`, as `openssl cms -sign -nodetach -md sha256` makes
 * it. `certfile` adds certificates (an intermediate); `nocerts` leaves the signer's out (AWS);
 * `noattr` signs the content directly, without signed attributes; `stream` encodes BER with
 * indefinite lengths and the content in segments (as AWS's PKCS#7 is).
 */
export function cmsSign(content, { cert, key, certfile, nocerts = false, noattr = false, stream = false }) {
  const args = ['cms', '-sign', '-nodetach', '-binary', '-outform', 'DER', '-md', 'sha256', '-signer', cert, '-inkey', key];
  if (certfile) args.push('-certfile', certfile);
  if (nocerts) args.push('-nocerts');
  if (noattr) args.push('-noattr');
  if (stream) args.push('-stream');
  return execFileSync('openssl', args, { input: content, stdio: ['pipe', 'pipe', 'pipe'] });
}
