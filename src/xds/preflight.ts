/**
 * xDS's pre-flight check (registered in src/preflight): the node metadata Envoy and istiod will
 * see (ISTIO_METAJSON_* JSON, an instance IP to register).
 */
import { isVmletError } from '../errors.js';
import { error, type PreflightCheck } from '../preflight/types.js';
import { buildNode } from './node-metadata.js';
import './errors.js';

export const nodeCheck: PreflightCheck = {
  name: 'xds.node',
  async run(config, ctx) {
    const host = ctx.host ?? (await import('./host-facts.js')).detectHost();
    try {
      buildNode(config, host);
      return [];
    } catch (err) {
      if (isVmletError(err)) return [error('xds.node', err)];
      throw err;
    }
  },
};
