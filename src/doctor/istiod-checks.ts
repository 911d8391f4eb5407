/**
 * Doctor's questions to istiod itself, after TLS verified: one certificate request (does istiod
 * accept this VM's credentials, which identity does it give, and its clock from the certificate's
 * NotBefore) and the WorkloadGroup (the running agent's xDS status when there is one; otherwise a
 * short xDS stream of doctor's own). Credentials: the stored certificate while it is valid, else
 * the istio-token (reusable until it expires; nothing is spent).
 */
import { X509Certificate } from 'node:crypto';
import { createCertificate } from '../identity/ca-client.js';
import { identityFromResponse } from '../identity/chain.js';
import { generateKeyAndCsr, spiffeId } from '../identity/keys.js';
import type { WorkloadIdentity } from '../identity/types.js';
import { clientCredentials } from '../identity/credentials.js';
import { createIstiodConnector, type IstiodConnector } from '../istiod/index.js';
import { istioTokenPath } from '../config/istio-files.js';
import { isVmletError } from '../errors.js';
import { Status, statusName } from '../grpc/status.js';
import { rejectionHint } from '../xds/hints.js';
import { detectHost } from '../xds/host-facts.js';
import { buildNode } from '../xds/node-metadata.js';
import type { AgentView } from './agent.js';
import { EXPLANATIONS, explain } from './explain.js';
import { clockVerdict, skewFrom } from './network-checks.js';
import { fail, pass, skip, warn, type DoctorContext, type Verdict } from './types.js';
import { probeXds } from './xds-probe.js';

export interface IstiodVerdicts { readonly ca: Verdict; readonly clock: Verdict; readonly workloadgroup: Verdict }

export async function checkIstiod(ctx: DoctorContext, tlsOk: boolean, stored: WorkloadIdentity | undefined, agent: AgentView | undefined): Promise<IstiodVerdicts> {
  const c = ctx.load.config;
  const fromAgent = agent ? workloadGroupFromAgent(agent) : undefined;
  if (!tlsOk) {
    const why = skip('no verified TLS connection to istiod');
    return { ca: why, clock: why, workloadgroup: fromAgent ?? why };
  }
  const valid: WorkloadIdentity | undefined = stored !== undefined && stored.notAfter > ctx.now() && stored.spiffeId.endsWith(`/ns/${c.identity.namespace}/sa/${c.identity.serviceAccount}`) ? stored : undefined;
  // The agent's own connector settings and credentials, with the certificate doctor chose.
  const connectorWith = (id: WorkloadIdentity | undefined) => createIstiodConnector({ config: c, clock: { now: ctx.now } }, clientCredentials({ current: () => id }, istioTokenPath(c.istio)));
  const auth = valid ? 'certificate' : 'token';
  const { ca, clock, issued } = await caAndClock(ctx, connectorWith(valid), auth);
  if (fromAgent) return { ca, clock, workloadgroup: fromAgent };
  if (issued === undefined) return { ca, clock, workloadgroup: skip('istiod did not issue a certificate to connect with') };
  // The xDS stream presents the certificate just issued, as the agent presents its own.
  return { ca, clock, workloadgroup: { ...(await workloadGroupByStream(ctx, connectorWith(issued))), timeoutMs: ctx.timeouts.xds } };
}

async function caAndClock(ctx: DoctorContext, connector: IstiodConnector, auth: 'certificate' | 'token'): Promise<{ ca: Verdict; clock: Verdict; issued?: WorkloadIdentity }> {
  const c = ctx.load.config;
  const id = spiffeId(c.identity.trustDomain, c.identity.namespace, c.identity.serviceAccount);
  // ECDSA P-256: generated in about a millisecond; the certificate is thrown away.
  const { csrPem, keyPem } = await generateKeyAndCsr({ type: 'ECDSA', curve: 'P256' }, id);
  const sentAt = Date.now();
  try {
    const res = await createCertificate(connector, { csrPem, ttlSeconds: 3600, certSigner: c.identity.certSigner, timeoutMs: ctx.timeouts.istiod, address: c.istiod.caAddress, auth });
    const receivedAt = Date.now();
    const leaf = res.certChain[0] ?? '';
    const san = /URI:([^,\s]+)/.exec(new X509Certificate(leaf).subjectAltName ?? '')?.[1];
    const data = { auth, spiffeId: san, timeoutMs: ctx.timeouts.istiod };
    const ca = san !== undefined && san !== id
      ? warn(`istiod issued ${san}, not ${id} (auth: ${auth})`, { cause: "istiod's trust domain differs from identity.trustDomain (TRUST_DOMAIN)", fix: "set TRUST_DOMAIN in cluster.env to istiod's mesh trust domain" }, data)
      : pass(`istiod issues ${san} for this VM (auth: ${auth}, ${receivedAt - sentAt} ms)`, data);
    let issued: WorkloadIdentity | undefined;
    try { issued = identityFromResponse(res.certChain, keyPem); } catch { issued = undefined; }
    return { ca: { ...ca, timeoutMs: ctx.timeouts.istiod }, clock: clockVerdict(skewFrom(leaf, sentAt, receivedAt), c.identity.clockSkew, receivedAt - sentAt), ...(issued ? { issued } : {}) };
  } catch (err) {
    const code = isVmletError(err) ? err.code : 'VMLET_CA_UNAVAILABLE';
    const msg = (err as Error).message;
    const v = fail(`${code}: ${msg.slice(0, 300)}`, explain(code) ?? EXPLANATIONS.VMLET_CA_UNAVAILABLE, { auth, code, timeoutMs: ctx.timeouts.istiod });
    return { ca: { ...v, timeoutMs: ctx.timeouts.istiod }, clock: skip("istiod's CA did not answer: no clock reading") };
  }
}

async function workloadGroupByStream(ctx: DoctorContext, connector: IstiodConnector): Promise<Verdict> {
  const c = ctx.load.config;
  let node;
  try {
    node = buildNode(c, detectHost());
  } catch (err) {
    return skip(`no node to connect as: ${(err as Error).message}`);
  }
  const group = typeof node.metadata['AUTO_REGISTER_GROUP'] === 'string' ? node.metadata['AUTO_REGISTER_GROUP'] : undefined;
  const data = { group, namespace: c.identity.namespace, source: 'xds-stream', timeoutMs: ctx.timeouts.xds };
  const a = await probeXds(connector, node, ctx.timeouts.xds);
  if (a.kind === 'response') {
    return pass(group ? `istiod accepted the xDS stream: WorkloadGroup ${c.identity.namespace}/${group} exists` : 'istiod accepted the xDS stream (no AUTO_REGISTER_GROUP: no auto-registration)', data);
  }
  const text = `${statusName(a.code)}: ${a.details}`;
  if (a.code === Status.FAILED_PRECONDITION && /workloadgroup/i.test(a.details)) return fail(text, EXPLANATIONS.ISTIOD_WORKLOADGROUP_MISSING, data);
  if (a.code === Status.PERMISSION_DENIED) return fail(text, EXPLANATIONS.ISTIOD_PERMISSION_DENIED, data);
  if (a.code === Status.DEADLINE_EXCEEDED) return warn(`no xDS answer within ${ctx.timeouts.xds} ms`, { cause: 'istiod is slow to answer (busy, or pushing a large configuration)', fix: 'run vmlet doctor again; check istiod\'s CPU and logs' }, data);
  return fail(text, { cause: `istiod refused the xDS stream (${statusName(a.code)})`, fix: rejectionHint(a.code, a.details, { namespace: c.identity.namespace, serviceAccount: c.identity.serviceAccount, ...(group ? { group } : {}) }) }, data);
}

/** The WorkloadGroup as the running agent's xDS stream sees it. */
export function workloadGroupFromAgent(agent: AgentView): Verdict | undefined {
  const xds = agent.snapshot.components.find((x) => x.name === 'xds');
  if (xds === undefined) return undefined;
  const data = { source: 'agent', state: xds.state, detail: xds.detail };
  if (/workloadgroup/i.test(xds.detail)) return fail(`the agent's xDS stream: ${xds.detail}`, EXPLANATIONS.ISTIOD_WORKLOADGROUP_MISSING, data);
  if (xds.state === 'ok') return pass(`the agent's xDS stream is accepted by istiod (${xds.detail})`, data);
  if (xds.state === 'starting') return undefined;
  return fail(`the agent's xDS stream: ${xds.detail}`, explain('VMLET_XDS_REJECTED')!, data);
}
