/**
 * `vmlet onboard-server join-token create --group NS/NAME --ttl 1h [--kubeconfig F] [--namespace N]`:
 * makes a one-time join token for an on-premises VM. Its SHA-256, group and expiry go into a Secret
 * in the service's namespace; the token is printed once, as the last line of stdout, and kept
 * nowhere else. Put it in the VM's onboarding.joinTokenFile (0600).
 */
import { EXIT_OK, VmletError } from '../errors.js';
import { parseDuration } from '../onboard-server/config.js';
import { kubeClientFor } from '../onboard-server/index.js';
import { createJoinToken } from '../onboard-server/join-tokens.js';
import { command, type CommandSpec } from './args.js';

export const spec: CommandSpec = {
  name: 'onboard-server join-token create',
  summary: 'Create a one-time join token for an on-premises VM (printed once, last line of stdout).',
  options: {
    group: { type: 'string', help: 'the WorkloadGroup the token admits to (a join-token policy must name it)' },
    ttl: { type: 'string', help: 'how long the token stays usable, e.g. 1h, 30m (default 1h)' },
    kubeconfig: { type: 'string', help: 'kubeconfig to create the Secret with (default: $KUBECONFIG, else the in-cluster service account)' },
    namespace: { type: 'string', help: "the service's joinTokenNamespace (default vmlet-onboard)" },
  },
};

export const run = command(spec, async (args, io) => {
  const group = typeof args.values.group === 'string' ? /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([^/\s]+)$/.exec(args.values.group) : null;
  if (group === null) throw new VmletError('VMLET_USAGE', '--group NS/NAME is required: the WorkloadGroup the token admits to, e.g. --group web/web-vms');
  const ttlText = typeof args.values.ttl === 'string' ? args.values.ttl : '1h';
  const ttl = parseDuration(ttlText);
  if (ttl === undefined || ttl <= 0) throw new VmletError('VMLET_USAGE', `--ttl ${JSON.stringify(ttlText)} is not a positive duration (e.g. 1h, 30m)`);
  const namespace = typeof args.values.namespace === 'string' ? args.values.namespace : 'vmlet-onboard';
  const kubeconfig = typeof args.values.kubeconfig === 'string' ? args.values.kubeconfig : (io.env.KUBECONFIG ?? '');
  const kube = kubeClientFor({ kubeconfig, readCacheSeconds: 0 });
  try {
    const made = await createJoinToken(kube, namespace, { namespace: group[1] as string, name: group[3] as string }, ttl);
    io.stderr.write(`join token for ${group[1]}/${group[3]} (Secret ${namespace}/${made.secretName}), usable once until ${made.expiresAt.toISOString()}:\n`);
    io.stdout.write(`${made.token}\n`);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof VmletError) throw err;
    throw new VmletError('VMLET_ONBOARD_KUBE_FAILED', `creating the join-token Secret in namespace ${namespace}: ${(err as Error).message}`, { cause: err });
  } finally {
    kube.close();
  }
});
