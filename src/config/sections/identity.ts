import { defineSection } from '../field.js';

/** Keys, certificate lifetime, rotation and the certificate store (owner: identity). */
export const identitySection = defineSection('identity', 'Keys, certificate lifetime, rotation and the certificate store', {});
