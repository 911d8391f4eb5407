/** Envoy's pre-flight check (registered in src/preflight): the user Envoy runs as exists and vmlet may switch to it. */
import { isVmletError } from '../errors.js';
import { error, type PreflightCheck } from '../preflight/types.js';
import { envoyCredentials } from './user.js';

export const userCheck: PreflightCheck = {
  name: 'envoy.user',
  run(config, ctx) {
    try {
      envoyCredentials(config.envoy.runAsUser, { uid: ctx.uid, gid: ctx.gid });
      return [];
    } catch (err) {
      if (isVmletError(err)) return [error('envoy.user', err)];
      throw err;
    }
  },
};
