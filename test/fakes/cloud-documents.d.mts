import type { CloudKeys } from './cloud-keys.mjs';
/** The FAKE's behaviour settings (see fake-cloud-metadata.mjs's header). */
export interface CloudDocumentSettings {
  status: number; delayMs: number; signWith: 'trusted' | 'other' | 'wrong-san'; tamper: boolean; timeOffsetSeconds: number;
  document: Record<string, unknown>; substitute: boolean; missing: string[];
  claims: Record<string, unknown>; computeEngine: Record<string, unknown>; lifetimeSeconds: number | undefined; rotate: boolean;
  payload: Record<string, unknown>; nonce: string | undefined;
}
export function defaultSettings(): CloudDocumentSettings;
export const AWS_BASE: Record<string, unknown>;
export function awsDocument(settings: CloudDocumentSettings): string;
export function awsItem(keys: CloudKeys, settings: CloudDocumentSettings, item: string): [number, string, string];
export function gcpToken(keys: CloudKeys, settings: CloudDocumentSettings, audience: string, now: Date): string;
export function azureAnswer(keys: CloudKeys, settings: CloudDocumentSettings, nonce: string, now: Date): string;
export function azureTime(d: Date): string;
