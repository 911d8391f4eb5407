import { defineSection, f } from '../field.js';

/** The readiness probe and health reports to istiod (owner: health). */
export const healthSection = defineSection('health', 'The readiness probe and health reports to istiod', {
  propagationDelay: f.duration({
    doc: 'On a graceful stop, how long to wait after reporting unhealthy before Envoy drains, so istiod stops routing to the VM first (ms).',
    default: 2_000,
    defaultReason: 'long enough for istiod to push the endpoint change to other proxies',
    env: ['VMLET_HEALTH_PROPAGATION_DELAY'],
  }),
  rewriteProbeToLocalhost: f.bool({
    doc: "Probe `localhost` instead of the VM's first address when the probe names no host.",
    default: false,
    defaultReason: 'istiod probes the first proxy IP, as pilot-agent does; istioctl sets this with --externalIP',
    env: ['REWRITE_PROBE_LEGACY_LOCALHOST_DESTINATION'],
    clusterEnv: ['REWRITE_PROBE_LEGACY_LOCALHOST_DESTINATION'],
  }),
  probeSourceAddress: f.string({
    doc: 'Source address of HTTP probes, so inbound capture does not redirect them into Envoy (IPv6 probes use ::6).',
    default: '127.0.0.6',
    defaultReason: "Istio's inbound passthrough address, exempt from capture",
    env: ['VMLET_PROBE_SOURCE_ADDRESS'],
  }),
});
