import { defineSection } from '../field.js';

/** Paths, logging and the local status server (owner: foundation). */
export const generalSection = defineSection('general', 'Paths, logging and the local status server', {});
