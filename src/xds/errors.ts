import { defineErrors } from '../errors.js';

export const XDS_ERRORS = defineErrors({
  badInput: {
    VMLET_NODE_METADATA_INVALID: 'An ISTIO_METAJSON_* value in cluster.env or proxyMetadata is not valid JSON.',
    VMLET_NODE_NO_INSTANCE_IP: 'No IP to register with istiod: the VM has no non-loopback address and node.instanceIps (ISTIO_SVC_IP) is not set.',
    VMLET_HEALTH_PROBE_INVALID: "mesh.yaml's readinessProbe is not a valid WorkloadGroup probe.",
  },
  retryable: {
    VMLET_XDS_REJECTED: 'istiod rejected the xDS stream (the status shows the gRPC code and what to fix); Envoy reconnects.',
  },
  other: {
    VMLET_XDS_MALFORMED: 'istiod or Envoy sent an xDS message that does not decode as protobuf; vmlet ends that stream with INTERNAL and Envoy reconnects.',
    VMLET_XDS_SOCKET: 'The xDS socket for Envoy could not be created (directory missing or not writable).',
  },
});
