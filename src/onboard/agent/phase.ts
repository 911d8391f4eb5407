/**
 * Onboarding as `vmlet run` lives it, between reading the configuration and starting anything:
 * decide (decide.ts), and when needed onboard until it succeeds, the attempts shown as the
 * `onboarding` component (STATUS= and `vmlet status`). SIGTERM/SIGINT during the attempts stop
 * them ('stopped'), SIGHUP is logged and ignored; the runtime's own signal handling only exists
 * once wiring is done.
 */
import type { Config } from '../../config/schema.js';
import type { SignalSource } from '../../lifecycle/signals.js';
import type { Logger } from '../../log.js';
import type { StatusBoard } from '../../status/types.js';
import { decideOnboarding } from './decide.js';
import { onboardUntilDone } from './index.js';

export interface OnboardingPhaseOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly status: StatusBoard;
  /** Where SIGTERM/SIGINT come from (tests inject a fake); default: this process. */
  readonly signals?: SignalSource;
  readonly now?: () => number;
}

export type OnboardingOutcome = 'not-needed' | 'onboarded' | 'stopped';

export async function onboardingPhase(opts: OnboardingPhaseOptions): Promise<OnboardingOutcome> {
  const now = opts.now ?? Date.now;
  const decision = await decideOnboarding(opts.config, now());
  if (!decision.needed) {
    opts.status.set('onboarding', 'ok', `not needed: ${decision.why}`);
    opts.logger.info({ provider: opts.config.onboarding.provider }, `onboarding not needed: ${decision.why}`);
    return 'not-needed';
  }
  opts.logger.info({ provider: opts.config.onboarding.provider, url: opts.config.onboarding.url }, `onboarding: ${decision.why}`);
  const stop = new AbortController();
  const source = opts.signals ?? process;
  const onStop = (signal: NodeJS.Signals) => {
    opts.logger.info({ signal }, `${signal}: stopping during onboarding`);
    stop.abort(signal);
  };
  const onTerm = () => onStop('SIGTERM');
  const onInt = () => onStop('SIGINT');
  // Without a listener SIGHUP would end the process; there is nothing to reload yet: the
  // configuration is read again once onboarding is done.
  const onHup = () => opts.logger.info({ signal: 'SIGHUP' }, 'SIGHUP during onboarding: the configuration is read again when onboarding is done');
  source.on('SIGTERM', onTerm);
  source.on('SIGINT', onInt);
  source.on('SIGHUP', onHup);
  try {
    return await onboardUntilDone({ config: opts.config, logger: opts.logger, status: opts.status, signal: stop.signal, now });
  } finally {
    source.off('SIGTERM', onTerm);
    source.off('SIGINT', onInt);
    source.off('SIGHUP', onHup);
  }
}
