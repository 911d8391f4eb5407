import { defineSection } from '../field.js';

/** The SDS server Envoy fetches certificates from (owner: envoy). */
export const sdsSection = defineSection('sds', 'The SDS server Envoy fetches certificates from', {});
