import { defineSection, f } from '../field.js';

/** The xDS proxy between Envoy and istiod (owner: xds). */
export const xdsSection = defineSection('xds', 'The xDS proxy between Envoy and istiod', {
  socketPath: f.path({
    doc: 'Unix socket Envoy connects to for xDS (the bootstrap cluster xds-grpc points here).',
    default: '/etc/istio/proxy/XDS',
    defaultReason: "pilot-agent's <configPath>/XDS, so an Istio bootstrap works unchanged",
    env: ['VMLET_XDS_SOCKET'],
  }),
});
