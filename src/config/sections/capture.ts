import { defineSection } from '../field.js';

/** iptables traffic capture (owner: capture). */
export const captureSection = defineSection('capture', 'iptables traffic capture', {});
