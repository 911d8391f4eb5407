/**
 * The Istio VM files exactly as `istioctl x workload entry configure` writes them, read once and
 * checked for syntax by ./istio-files.ts. Capabilities read typed values from their sections;
 * these raw inputs are for logic that needs Istio's own shapes (node metadata from cluster.env's
 * ISTIO_META_* keys, the readinessProbe object from mesh.yaml).
 */
export interface IstioInputs {
  /** istioctl's output directory when given with --istio-dir, else undefined (stock VM paths). */
  readonly dir: string | undefined;
  /** cluster.env: KEY -> value (shell quoting removed), in file order; empty when absent. */
  readonly clusterEnv: Readonly<Record<string, string>>;
  readonly clusterEnvPath: string | undefined;
  /**
   * The effective ProxyConfig (proto3 JSON names): mesh.yaml's `defaultConfig`, then PROXY_CONFIG
   * from cluster.env, then from the process environment applied over it, as pilot-agent does
   * (top-level fields replace; proxyMetadata merges by key). Empty object when none is given.
   */
  readonly proxyConfig: Readonly<Record<string, unknown>>;
  readonly meshPath: string | undefined;
  /** root-cert.pem: the path and the PEM text (one or more CA certificates). */
  readonly rootCertPath: string | undefined;
  readonly rootCertPem: string | undefined;
  /** istio-token: the path only; the token is re-read on every use and never kept in config. */
  readonly tokenPath: string | undefined;
  /** hosts: `ip names...` entries (may be empty, as istioctl writes it without an LB IP). */
  readonly hosts: readonly { readonly ip: string; readonly names: readonly string[] }[];
}
