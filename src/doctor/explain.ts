/**
 * One place for "what went wrong and what to do" texts, shared by `vmlet doctor` (each check's
 * cause + fix) and `vmlet status` (the first cause of each unmet readiness gate), so the two say
 * the same thing. Pure: no I/O, no imports of capabilities. Texts never contain secrets.
 *
 * Keys are error codes (`VMLET_TOKEN_EXPIRED`), istiod's xDS/CA rejections (`ISTIOD_*`) and doctor
 * findings (`DOCTOR_*`). A gate reason that ends with `[VMLET_CODE]` (identity does this) is
 * explained by that code; otherwise by the gate's own fallback.
 */

export interface Explanation {
  /** Why it happens, one line. */
  readonly cause: string;
  /** What the operator does next, one line. */
  readonly fix: string;
}

const MINT = 'mint a new token (kubectl create token <sa> -n <ns> --audience istio-ca) or re-run istioctl x workload entry configure, and copy istio-token to the VM';

/** Keyed texts. Add a row here rather than writing a cause or fix inline in a check. */
export const EXPLANATIONS = {
  VMLET_TOKEN_MISSING: { cause: 'no stored workload certificate and no istio-token to get one with', fix: MINT },
  VMLET_TOKEN_FILE_EMPTY: { cause: 'the istio-token file is empty', fix: MINT },
  VMLET_TOKEN_MALFORMED: { cause: 'the istio-token is not a JWT (three base64url parts)', fix: MINT },
  VMLET_TOKEN_EXPIRED: { cause: "the istio-token's exp is in the past; istiod refuses it", fix: MINT },
  VMLET_TOKEN_NOT_YET_VALID: { cause: "the istio-token's nbf is in the future: this VM's clock is behind", fix: 'sync the clock (timedatectl set-ntp true; chronyc makestep), then restart vmlet' },
  VMLET_TOKEN_WRONG_AUDIENCE: { cause: "the istio-token's aud lacks identity.tokenAudience (istio-ca); istiod refuses it", fix: 'mint the token with --audience istio-ca (or set identity.tokenAudience to what istiod accepts)' },
  VMLET_TOKEN_WRONG_SUBJECT: { cause: "the istio-token names another namespace or service account than cluster.env (POD_NAMESPACE, SERVICE_ACCOUNT)", fix: 'mint the token for the configured service account, or regenerate the VM files for the token\'s namespace' },
  VMLET_CA_UNAVAILABLE: { cause: "istiod's CA did not answer (address wrong, istiod down, or a firewall)", fix: 'check the discovery address resolves and port 15012 is reachable from the VM (vmlet doctor: dns, reach)' },
  VMLET_CA_TLS: { cause: "TLS to istiod failed: root-cert.pem does not sign istiod's certificate, or the name istiod is dialled by is not in it", fix: 'copy root-cert.pem again from istioctl x workload entry configure, and dial istiod by istiod.istio-system.svc (hosts file)' },
  VMLET_CA_UNAUTHENTICATED: { cause: "istiod refused vmlet's credentials (token not accepted, or a client certificate it does not trust)", fix: 'check the token (vmlet doctor: token) and that istiod is the one that issued root-cert.pem' },
  VMLET_CA_REJECTED: { cause: 'istiod refused the certificate request (bad CSR or a TTL above its maximum)', fix: 'lower identity.certTtl (SECRET_TTL) below istiod\'s MAX_WORKLOAD_CERT_TTL' },
  VMLET_CA_BAD_CHAIN: { cause: "istiod's answer is not a usable certificate chain", fix: 'check istiod\'s CA configuration (plugged-in CA certs) and its log' },
  VMLET_IDENTITY_STORE_UNWRITABLE: { cause: 'the identity store directory cannot be written', fix: 'make identity.storeDir (default /var/lib/vmlet/identity) writable by vmlet\'s user' },
  VMLET_ENVOY_START_FAILED: { cause: 'Envoy could not be started (binary missing or not executable)', fix: 'install Envoy at envoy.binaryPath (default /usr/local/bin/envoy) or set it' },
  VMLET_ENVOY_EXITED: { cause: 'Envoy exited while it should run', fix: 'read its last lines: journalctl -u vmlet | grep \'"component":"envoy"\'' },
  VMLET_ENVOY_USER_UNKNOWN: { cause: 'envoy.runAsUser names a user that does not exist', fix: 'useradd --system istio-proxy, or set envoy.runAsUser' },
  VMLET_ENVOY_USER_SWITCH: { cause: 'vmlet is not root, so it cannot start Envoy as another user', fix: "run vmlet as root (the systemd unit does) or set envoy.runAsUser to ''" },
  VMLET_CAPTURE_NOT_ROOT: { cause: 'iptables rules need root (CAP_NET_ADMIN)', fix: 'run vmlet as root, or set capture.enabled=false' },
  VMLET_CAPTURE_NO_BACKEND: { cause: 'no iptables backend (nft or legacy, with -save and -restore) was found', fix: 'apt-get install iptables (or dnf install iptables-nft)' },
  VMLET_CAPTURE_RESTORE_FAILED: { cause: 'iptables-restore refused the capture rules', fix: "read the log line's stderr; check the kernel has the nat table (modprobe iptable_nat / nft)" },
  VMLET_HEALTH_PROBE_INVALID: { cause: "mesh.yaml's readinessProbe is not a valid WorkloadGroup probe", fix: "fix the WorkloadGroup's spec.probe and re-run istioctl x workload entry configure" },
  VMLET_NODE_METADATA_INVALID: { cause: 'an ISTIO_METAJSON_* value (e.g. the labels) is not valid JSON', fix: "quote it as istioctl does: ISTIO_METAJSON_LABELS='{\"app\":\"x\"}'" },
  VMLET_XDS_REJECTED: { cause: 'istiod rejected the xDS stream', fix: 'see the status line for the gRPC code; vmlet doctor: workloadgroup' },
  ISTIOD_WORKLOADGROUP_MISSING: { cause: "istiod answered FAILED_PRECONDITION: the WorkloadGroup named by AUTO_REGISTER_GROUP does not exist in the VM's namespace", fix: 'kubectl apply the WorkloadGroup in that namespace (istioctl x workload group create); vmlet registers as soon as it exists' },
  ISTIOD_PERMISSION_DENIED: { cause: "the certificate's identity does not match the namespace and service account the VM connects as", fix: 'regenerate the VM files for this namespace and service account' },
  VMLET_ONBOARD_CA_FILE: { cause: "onboarding.caFile cannot be read or holds no PEM certificate: the exchange service's certificate cannot be verified", fix: "put the PEM of the CA that signed the exchange service's certificate at onboarding.caFile (or unset it to use the system's CAs)" },
  VMLET_ONBOARD_JOIN_TOKEN_MISSING: { cause: 'onboarding.joinTokenFile is absent or empty, so there is nothing to prove this VM with', fix: 'vmlet onboard-server join-token create --group NS/NAME --ttl 1h, write it to the file, chmod 0600' },
  VMLET_ONBOARD_JOIN_TOKEN_PERMISSIONS: { cause: 'the join token file can be read by others than its owner; vmlet refuses to send it', fix: 'chmod 0600 the file; create a new join token if someone may have read it' },
  VMLET_ONBOARD_METADATA_UNREACHABLE: { cause: "the cloud's metadata service did not answer (not on that cloud, IMDS disabled, AWS hop limit 1 inside a container, a proxy in the way)", fix: 'check onboarding.provider and onboarding.metadataUrl; AWS: enable IMDS, hop limit 2 or host networking; Azure: the primary NIC, no proxy' },
  VMLET_ONBOARD_METADATA_REFUSED: { cause: "the cloud's metadata service answered but refused the identity request (GCP: no service account attached; AWS: IMDSv2 refused)", fix: 'GCP: attach a service account (no roles needed); AWS: allow IMDSv2 (http-tokens optional or required)' },
  VMLET_ONBOARD_SERVICE_UNREACHABLE: { cause: 'the exchange service (onboarding.url) could not be reached: wrong URL, name resolution, a firewall, or the service is down', fix: 'check onboarding.url, that its host resolves on this VM and its port is open, and that vmlet onboard-server runs' },
  VMLET_ONBOARD_TLS: { cause: "TLS to the exchange service failed: onboarding.caFile did not sign its certificate, the certificate does not name the URL's host, or this VM's clock is off", fix: "put the CA that signed the service's certificate in onboarding.caFile, dial the name in its certificate, sync the clock" },
  VMLET_ONBOARD_SERVICE_ERROR: { cause: 'something answered at onboarding.url, but not as the exchange service does', fix: 'check onboarding.url points at vmlet onboard-server (not a proxy or another server) and read its log' },
  DOCTOR_ONBOARD_CA_NOT_CA: { cause: 'onboarding.caFile holds a certificate that is not a CA (no basicConstraints CA:TRUE) or is outside its validity period', fix: "put the CA certificate that signed the exchange service's certificate there, not the service's own certificate" },
  DOCTOR_FILE_MISSING: { cause: 'a file vmlet reads is absent', fix: 'copy the files istioctl x workload entry configure wrote to /etc/certs and /var/run/secrets/tokens (or pass --istio-dir)' },
  DOCTOR_FILE_MODE: { cause: 'a secret file can be read by users other than its owner', fix: 'chmod 0600 the file (key.pem, istio-token) and keep it owned by root' },
  DOCTOR_CLOCK_SKEW: { cause: "this VM's clock differs from istiod's; tokens and certificates are judged by time", fix: 'enable NTP: timedatectl set-ntp true (chrony or systemd-timesyncd)' },
  DOCTOR_DNS: { cause: 'the discovery address does not resolve on this VM', fix: "add istiod's address to /etc/hosts (the hosts file istioctl wrote) or fix DNS" },
  DOCTOR_UNREACHABLE: { cause: 'nothing answers TCP at the discovery address (istiod down, wrong IP, or a firewall; the east-west gateway for multi-network)', fix: 'check the IP in the hosts file, the gateway\'s LoadBalancer address and firewall rules for port 15012' },
  DOCTOR_PARTLY_REACHABLE: { cause: 'the discovery address resolves to several addresses and some do not accept TCP on its port (a dead load-balancer member, a stale DNS or hosts entry): connections to those fail', fix: 'remove the dead addresses from DNS or the hosts file, or fix the istiod instance or gateway behind them' },
  DOCTOR_TLS_NAME: { cause: "istiod's certificate does not carry the name vmlet verifies (the discovery address's host)", fix: 'dial istiod by istiod.istio-system.svc (hosts file entry), or set istiod.serverName (VMLET_ISTIOD_SERVER_NAME) to a name in it' },
  DOCTOR_TLS_ROOT: { cause: "root-cert.pem does not verify istiod's certificate (another cluster's root, or the mesh root rotated)", fix: 'copy root-cert.pem again from istioctl x workload entry configure for this cluster' },
  DOCTOR_NO_INSTANCE_IP: { cause: 'no non-loopback address to register', fix: 'set ISTIO_SVC_IP in cluster.env or node.instanceIps' },
  DOCTOR_PORT_TAKEN: { cause: 'a port Envoy or vmlet listens on is held by another process', fix: 'stop that process (another vmlet or pilot-agent?) or move the port' },
  DOCTOR_ENVOY_MISSING: { cause: 'no Envoy binary at envoy.binaryPath', fix: 'install Envoy (the istio-sidecar package ships one) or set envoy.binaryPath' },
  DOCTOR_NOT_SYSTEMD: { cause: 'vmlet.service is not active', fix: 'systemctl enable --now vmlet; journalctl -u vmlet shows why it stopped' },
  DOCTOR_AGENT_DOWN: { cause: 'no vmlet answers on the status port', fix: 'systemctl start vmlet (or vmlet run), then vmlet status' },
  GATE_IDENTITY: { cause: 'no workload certificate from istiod yet', fix: 'vmlet doctor: token, tls, reach' },
  GATE_ENVOY: { cause: 'Envoy is not ready: not started, or still waiting for its first configuration from istiod', fix: 'vmlet proxy-status; vmlet doctor: envoy, workloadgroup' },
  GATE_HEALTH: { cause: "the application's readiness probe has not passed yet", fix: "check the application answers the WorkloadGroup's probe on this VM" },
  GATE_CAPTURE: { cause: 'the iptables capture rules are not installed yet', fix: 'vmlet capture status; vmlet doctor: iptables' },
} as const satisfies Record<string, Explanation>;

export type ExplanationId = keyof typeof EXPLANATIONS;

/** The texts for an error code or other key, or undefined when none is written. */
export function explain(id: string): Explanation | undefined {
  return (EXPLANATIONS as Record<string, Explanation>)[id];
}

/**
 * The first cause of an unmet readiness gate and its fix: by the `[VMLET_CODE]` the reason ends
 * with when there is one, else by the gate's name; a gate with neither gets the reason itself.
 */
export function explainGate(gate: string, reason: string | undefined): Explanation {
  const code = /\[(VMLET_[A-Z0-9_]+)\]\s*$/.exec(reason ?? '')?.[1];
  const byCode = code === undefined ? undefined : explain(code);
  if (byCode) return byCode;
  if (/workloadgroup/i.test(reason ?? '')) return EXPLANATIONS.ISTIOD_WORKLOADGROUP_MISSING;
  const byGate = explain(`GATE_${gate.toUpperCase()}`);
  return byGate ?? { cause: reason ?? `gate ${gate} not met`, fix: 'vmlet doctor' };
}
