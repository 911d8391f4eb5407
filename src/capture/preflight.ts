/**
 * Capture's pre-flight check (registered in src/preflight): capture asked for but vmlet is not
 * root. A warning, not a refusal: `vmlet run` starts without capture and says so loudly.
 */
import { VmletError } from '../errors.js';
import { warning, type PreflightCheck } from '../preflight/types.js';
import './errors.js';

export const rootCheck: PreflightCheck = {
  name: 'capture.root',
  run(_config, ctx) {
    if (ctx.uid === 0) return [];
    return [warning('capture.root', new VmletError('VMLET_CAPTURE_NOT_ROOT', `capture.enabled is true but vmlet runs as uid ${ctx.uid}, not root: it will start WITHOUT traffic capture; run it as root or set capture.enabled=false`, { details: { key: 'capture.enabled' } }))];
  },
};
