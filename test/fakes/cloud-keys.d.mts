export interface CloudKeys {
  dir: string;
  aws: { signerKey: string; cert: string; otherKey: string; otherCert: string };
  gcp: { signerKey: string; kid: string; nextKey: string; nextKid: string; otherKey: string; jwksFile: string; jwksRotatedFile: string };
  azure: {
    root: string; intermediate: string; leaf: string; leafKey: string;
    otherRoot: string; otherIntermediate: string; otherLeaf: string; otherLeafKey: string;
    wrongSanLeaf: string; wrongSanLeafKey: string;
    aiaLeaf: string; aiaLeafKey: string;
  };
  /** The onboard server config's `trust:` section pointing at these FAKE anchors. */
  trust: {
    aws: { certificates: string[] };
    gcp: { jwksFile: string; jwksUrl: string; issuer: string; maxAge: string };
    azure: { roots: string[]; sanSuffixes: string[] };
  };
}
export const AIA_URL: string;
export function makeCloudKeys(dir: string): CloudKeys;
export function cmsSign(
  content: Uint8Array,
  o: { cert: string; key: string; certfile?: string; nocerts?: boolean; noattr?: boolean; stream?: boolean },
): Buffer;
