/**
 * On-premises: the one-time join token an operator put in onboarding.joinTokenFile. It is a
 * secret, so the file must be readable by its owner only (0600 or stricter): a token that others
 * can read is refused before it is ever sent.
 */
import { readFileSync, statSync } from 'node:fs';
import { VmletError } from '../../errors.js';
import type { JoinTokenAttestation } from '../protocol.js';
import '../errors.js';

const CREATE = 'create one with `vmlet onboard-server join-token create --group NS/NAME --ttl 1h` and write it there (chmod 0600)';

export function collectJoinToken(file: string): JoinTokenAttestation {
  let mode: number;
  let text: string;
  try {
    mode = statSync(file).mode;
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VmletError('VMLET_ONBOARD_JOIN_TOKEN_MISSING',
      `onboarding.joinTokenFile ${file}: ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`}; ${CREATE}`,
      { cause: err, details: { file, key: 'onboarding.joinTokenFile' } });
  }
  if ((mode & 0o077) !== 0) {
    throw new VmletError('VMLET_ONBOARD_JOIN_TOKEN_PERMISSIONS',
      `onboarding.joinTokenFile ${file}: mode 0${(mode & 0o777).toString(8)} lets others than its owner read the join token; chmod 0600 ${file} (and create a new token if someone may have read it)`,
      { details: { file, key: 'onboarding.joinTokenFile' } });
  }
  const token = text.trim();
  if (token === '') {
    throw new VmletError('VMLET_ONBOARD_JOIN_TOKEN_MISSING', `onboarding.joinTokenFile ${file}: is empty; ${CREATE}`, { details: { file, key: 'onboarding.joinTokenFile' } });
  }
  return { token };
}
