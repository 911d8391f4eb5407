import { defineSection, f } from '../field.js';

/** The xDS proxy between Envoy and istiod (owner: xds). */
export const xdsSection = defineSection('xds', 'The xDS proxy between Envoy and istiod', {
  enabled: f.bool({
    doc: 'Run the xDS proxy and the health reports to istiod (false: no registration; a test without istiod).',
    default: true,
    env: ['VMLET_XDS_ENABLED'],
  }),
  socketPath: f.path({
    doc: 'Unix socket Envoy connects to for xDS (the bootstrap cluster xds-grpc points here).',
    default: '/etc/istio/proxy/XDS',
    defaultReason: "pilot-agent's <configPath>/XDS, so an Istio bootstrap works unchanged",
    env: ['VMLET_XDS_SOCKET'],
  }),
});
