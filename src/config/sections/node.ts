import { defineSection } from '../field.js';

/** Who this VM is to istiod: node id and metadata (owner: envoy, shared with xds). */
export const nodeSection = defineSection('node', 'Who this VM is to istiod: node id and metadata', {});
