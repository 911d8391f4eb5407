import { defineSection } from '../field.js';

/** How vmlet reaches istiod: addresses, TLS root and server name, headers (owner: identity). */
export const istiodSection = defineSection('istiod', 'How vmlet reaches istiod: addresses, TLS root and server name, headers', {});
