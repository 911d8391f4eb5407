import { defineSection, f } from '../field.js';

/**
 * Who this VM is to istiod: node id and metadata (owner: xds, shared with the Envoy bootstrap).
 * Namespace and service account are identity.namespace / identity.serviceAccount: one source for
 * the certificate's SPIFFE ID and the metadata istiod checks it against.
 */
export const nodeSection = defineSection('node', 'Who this VM is to istiod: node id and metadata', {
  name: f.string({
    doc: 'Node name (the POD_NAME part of the node id `sidecar~<ip>~<name>.<ns>~<ns>.svc.cluster.local`); default: the short host name.',
    env: ['VMLET_NODE_NAME', 'POD_NAME'],
    clusterEnv: ['POD_NAME'],
  }),
  instanceIps: f.stringList({
    doc: "The VM's addresses, routable one first (metadata INSTANCE_IPS, node id); default: ISTIO_SVC_IP, then the host's non-loopback addresses.",
    env: ['VMLET_INSTANCE_IPS', 'INSTANCE_IP', 'ISTIO_SVC_IP'],
    clusterEnv: ['ISTIO_SVC_IP', 'INSTANCE_IP'],
  }),
  serviceCluster: f.string({
    doc: 'Envoy service cluster (node.cluster); default `<namespace>` derived `istio-proxy.<ns>` unless ISTIO_SERVICE is set.',
    env: ['VMLET_SERVICE_CLUSTER', 'ISTIO_SERVICE'],
    clusterEnv: ['ISTIO_SERVICE'],
  }),
  dnsDomain: f.string({
    doc: 'DNS domain (4th node id part); default `<namespace>.svc.cluster.local`.',
    env: ['VMLET_DNS_DOMAIN'],
  }),
  istioVersion: f.string({
    doc: 'ISTIO_VERSION sent to istiod; must match the Envoy build you run (istiod gates generated config on it).',
    default: '1.28.0',
    defaultReason: 'a current Istio release; set it to your istio-proxy/Envoy version',
    env: ['VMLET_ISTIO_VERSION', 'ISTIO_META_ISTIO_VERSION'],
    clusterEnv: ['ISTIO_META_ISTIO_VERSION'],
  }),
});
