/**
 * Time checks shared by the verifiers, with the refusal every one of them gives: both the
 * artefact's time and the server's clock in the reason, so a person sees clock skew at once.
 */
import { OnboardRefusal } from '../../onboard/protocol.js';

const CLOCK_FIX = 'check the clocks: the VM and the service both need NTP (chrony/systemd-timesyncd); '
  + 'if they agree, fetch a fresh attestation (the VM onboards again by itself)';

/** Refuses when `notBefore` is later than now + skew ("not yet valid": a future document). */
export function refuseIfFuture(what: string, notBefore: Date, now: Date, skewSeconds: number): void {
  if (notBefore.getTime() > now.getTime() + skewSeconds * 1000) {
    throw new OnboardRefusal('ONBOARD_ATTESTATION_EXPIRED',
      `${what} is not valid yet: it says ${notBefore.toISOString()}, the service's clock says ${now.toISOString()} `
      + `(${Math.round((notBefore.getTime() - now.getTime()) / 1000)} s ahead, beyond the allowed clock skew of ${skewSeconds} s): clock skew?`,
      CLOCK_FIX);
  }
}

/** Refuses when `notAfter` + skew is earlier than now (expired). */
export function refuseIfExpired(what: string, notAfter: Date, now: Date, skewSeconds: number): void {
  if (notAfter.getTime() + skewSeconds * 1000 < now.getTime()) {
    throw new OnboardRefusal('ONBOARD_ATTESTATION_EXPIRED',
      `${what} expired at ${notAfter.toISOString()}, the service's clock says ${now.toISOString()} `
      + `(${Math.round((now.getTime() - notAfter.getTime()) / 1000)} s later, beyond the allowed clock skew of ${skewSeconds} s): an old attestation, or clock skew`,
      CLOCK_FIX);
  }
}
