/**
 * One-time join tokens for VMs without a platform identity (on-premises): a Secret per token in
 * joinTokenNamespace, labelled vmlet.dev/join-token=true, holding the token's SHA-256 (never the
 * token), the group it admits to and its expiry. The Secret's name is derived from the hash, so
 * the service finds it with one GET; using it deletes it with a uid precondition, so of two
 * concurrent uses exactly one wins.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JoinTokenRecord, JoinTokenStore } from './attest/types.js';
import { KubeApiError, kubeRefusal, type KubeClient } from './kube.js';

export const JOIN_TOKEN_LABEL = 'vmlet.dev/join-token';

export function tokenSha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function secretNameFor(sha256Hex: string): string {
  return `vmlet-join-${sha256Hex.slice(0, 40)}`;
}

/** Builds the Secret for a new token (pure; the token itself is not in it). */
export function joinTokenSecret(sha256Hex: string, group: { namespace: string; name: string }, expiresAt: Date): Record<string, unknown> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'vmlet.dev/join-token',
    metadata: {
      name: secretNameFor(sha256Hex),
      labels: { [JOIN_TOKEN_LABEL]: 'true' },
      annotations: { 'vmlet.dev/group': `${group.namespace}/${group.name}`, 'vmlet.dev/expires-at': expiresAt.toISOString() },
    },
    data: { sha256: b64(sha256Hex), group: b64(`${group.namespace}/${group.name}`), expiresAt: b64(expiresAt.toISOString()) },
  };
}

/** Creates a token for `group` living ttlSeconds; the token is returned once and stored nowhere. */
export async function createJoinToken(kube: KubeClient, namespace: string, group: { namespace: string; name: string }, ttlSeconds: number, now = new Date()): Promise<{ token: string; secretName: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const sha = tokenSha256(token);
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await kube.createSecret(namespace, joinTokenSecret(sha, group, expiresAt));
  return { token, secretName: secretNameFor(sha), expiresAt };
}

export class KubeJoinTokenStore implements JoinTokenStore {
  constructor(private readonly kube: KubeClient, private readonly namespace: string) {}

  async consume(sha256Hex: string): Promise<JoinTokenRecord | undefined> {
    if (!/^[0-9a-f]{64}$/.test(sha256Hex)) return undefined;
    const name = secretNameFor(sha256Hex);
    let secret;
    try {
      secret = await this.kube.getSecret(this.namespace, name);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw kubeRefusal(`reading join-token Secret ${this.namespace}/${name}`, err);
    }
    const field = (k: string) => Buffer.from(secret.data?.[k] ?? '', 'base64').toString('utf8');
    const stored = Buffer.from(field('sha256'), 'hex');
    const given = Buffer.from(sha256Hex, 'hex');
    if (secret.metadata.labels?.[JOIN_TOKEN_LABEL] !== 'true' || stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
    try {
      await this.kube.deleteSecret(this.namespace, name, secret.metadata.uid);
    } catch (err) {
      // Someone else deleted it first (a concurrent use): this use lost.
      if (err instanceof KubeApiError && (err.status === 404 || err.status === 409)) return undefined;
      throw kubeRefusal(`deleting used join-token Secret ${this.namespace}/${name}`, err);
    }
    const [namespace = '', groupName = ''] = field('group').split('/');
    return { group: { namespace, name: groupName }, expiresAt: new Date(field('expiresAt')), id: name };
  }
}
