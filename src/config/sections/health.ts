import { defineSection } from '../field.js';

/** The readiness probe and health reports to istiod (owner: xds). */
export const healthSection = defineSection('health', 'The readiness probe and health reports to istiod', {});
