/** onboarding.caFile: the PEM the exchange service's certificate is verified with (undefined: the system's CAs). */
import { readFileSync } from 'node:fs';
import { VmletError } from '../../errors.js';
import '../errors.js';

export function readCaFile(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new VmletError('VMLET_ONBOARD_CA_FILE', `onboarding.caFile ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); put the PEM of the CA that signed the exchange service's certificate there`, { cause: err, details: { file, key: 'onboarding.caFile' } });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new VmletError('VMLET_ONBOARD_CA_FILE', `onboarding.caFile ${file}: holds no PEM certificate; put the PEM of the CA that signed the exchange service's certificate there`, { details: { file, key: 'onboarding.caFile' } });
  }
  return text;
}
