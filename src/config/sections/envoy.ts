import { defineSection } from '../field.js';

/** The Envoy binary, arguments, bootstrap, restarts and drain (owner: envoy). */
export const envoySection = defineSection('envoy', 'The Envoy binary, arguments, bootstrap, restarts and drain', {});
