import { registerErrors, type ErrorCatalog } from '../errors.js';

export const XDS_ERRORS = {
  VMLET_XDS_REJECTED: { summary: 'istiod rejected the xDS stream (the status shows the gRPC code and what to fix); Envoy reconnects.', retryable: true },
  VMLET_XDS_MALFORMED: { summary: 'istiod or Envoy sent an xDS message that does not decode as protobuf; vmlet ends that stream with INTERNAL and Envoy reconnects.' },
  VMLET_XDS_SOCKET: { summary: 'The xDS socket for Envoy could not be created (directory missing or not writable).' },
  VMLET_NODE_METADATA_INVALID: { summary: 'An ISTIO_METAJSON_* value in cluster.env or proxyMetadata is not valid JSON.', badInput: true },
  VMLET_NODE_NO_INSTANCE_IP: { summary: 'No IP to register with istiod: the VM has no non-loopback address and node.instanceIps (ISTIO_SVC_IP) is not set.', badInput: true },
  VMLET_HEALTH_PROBE_INVALID: { summary: "mesh.yaml's readinessProbe is not a valid WorkloadGroup probe.", badInput: true },
} as const satisfies ErrorCatalog;
registerErrors(XDS_ERRORS);
