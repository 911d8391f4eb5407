/**
 * Narrowing the request's `attestation` (unknown JSON) into the fields a verifier needs, with
 * ONBOARD_BAD_REQUEST refusals that name the field; never echoing the value (it may be a token).
 */
import { OnboardRefusal } from '../../onboard/protocol.js';

/** Largest attestation field accepted (a PKCS#7 with a 3-certificate chain is ~6 KiB in base64). */
export const MAX_FIELD_BYTES = 64 * 1024;

export function attestationObject(att: unknown, provider: string): Record<string, unknown> {
  if (typeof att !== 'object' || att === null || Array.isArray(att)) {
    throw new OnboardRefusal('ONBOARD_BAD_REQUEST', `attestation must be a JSON object for provider ${provider}`,
      'send the attestation as vmlet collects it (ONBOARD-SPEC wire protocol); upgrade the agent if it is older than the service');
  }
  return att as Record<string, unknown>;
}

/** A string field, present and within size; `optional` lets it be absent (undefined). */
export function stringField(obj: Record<string, unknown>, field: string, provider: string, optional = false): string | undefined {
  const v = obj[field];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v.length === 0) {
    throw new OnboardRefusal('ONBOARD_BAD_REQUEST', `attestation.${field} must be a non-empty string for provider ${provider}`,
      `send attestation.${field} as the metadata service returned it`);
  }
  if (v.length > MAX_FIELD_BYTES) {
    throw new OnboardRefusal('ONBOARD_BAD_REQUEST', `attestation.${field} is ${v.length} characters, more than the ${MAX_FIELD_BYTES} accepted`,
      `send attestation.${field} exactly as the metadata service returned it`);
  }
  return v;
}

/** Strict base64 (line breaks allowed, as AWS serves it) to bytes; a bad alphabet is a bad request. */
export function base64Field(value: string, field: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new OnboardRefusal('ONBOARD_BAD_REQUEST', `attestation.${field} is not base64`,
      `send attestation.${field} as the metadata service returned it (base64 text)`);
  }
  return Buffer.from(compact, 'base64');
}

/** Short, printable rendering of a value for a reason (never use on secrets). */
export function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(clean.length > 80 ? `${clean.slice(0, 77)}...` : clean);
}
