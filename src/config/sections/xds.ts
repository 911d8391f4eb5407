import { defineSection } from '../field.js';

/** The xDS proxy between Envoy and istiod (owner: xds). */
export const xdsSection = defineSection('xds', 'The xDS proxy between Envoy and istiod', {});
