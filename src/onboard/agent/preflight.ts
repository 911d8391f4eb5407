/**
 * Onboarding's pre-flight check (registered in src/preflight): the inputs on this VM that
 * onboarding will need, judged before anything starts so `vmlet validate` and `vmlet run` refuse
 * them alike (exit 2): onboarding.caFile, and — only when this start would onboard — the join
 * token file (after a successful onboarding it is spent and removed, and no longer needed).
 * Reads files only; never the network.
 */
import { error, type PreflightCheck } from '../../preflight/types.js';
import { isVmletError } from '../../errors.js';
import { collectJoinToken } from './collect-join-token.js';
import { decideOnboarding } from './decide.js';
import { readCaFile } from './ca-file.js';

export const onboardingCheck: PreflightCheck = {
  name: 'onboarding.inputs',
  async run(config, ctx) {
    try {
      readCaFile(config.onboarding.caFile);
      if (config.onboarding.provider === 'join-token' && (await decideOnboarding(config, ctx.now)).needed) collectJoinToken(config.onboarding.joinTokenFile);
      return [];
    } catch (err) {
      if (isVmletError(err)) return [error('onboarding.inputs', err)];
      throw err;
    }
  },
};
