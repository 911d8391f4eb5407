/**
 * `vmlet proxy-config clusters|listeners|routes|endpoints|secrets [--json]`: Envoy's configuration
 * on this VM as `istioctl proxy-config` prints it for a pod, read from Envoy's admin API on
 * 127.0.0.1:envoy.adminPort (/config_dump; /clusters?format=json for endpoints, as istioctl does).
 * `--json` prints the entries Envoy reported for that kind, except secrets: their rows only, so no
 * key or certificate bytes are ever printed. Exit codes: 0 printed, 1 Envoy's admin API not
 * reachable, 2 bad command line.
 */
import { loadConfig } from '../config/index.js';
import { envoyAdmin } from '../envoy/admin-client.js';
import { EXIT_OK, VmletError } from '../errors.js';
import { command, loadInputFrom, type CliIo, type CommandSpec } from './args.js';
import { clusterRows, endpointRows, listenerRows, routeRows, secretRows, section, type Row } from './envoy-config-tables.js';
import { table } from './proxy-status.js';

const KINDS = ['clusters', 'listeners', 'routes', 'endpoints', 'secrets'] as const;
type Kind = (typeof KINDS)[number];

export const spec: CommandSpec = {
  name: 'proxy-config',
  summary: "Show Envoy's clusters, listeners, routes, endpoints or secrets on this VM, as istioctl proxy-config does.",
  description: "Reads Envoy's admin API on 127.0.0.1:envoy.adminPort. Secrets show names, serial, validity and trust domain, never key material. Exit codes: 0 printed, 1 Envoy's admin API not reachable, 2 bad command line.",
  json: 'print what Envoy reported for that kind as JSON (secrets: the rows only)',
  positionals: KINDS.join('|'),
};

/** Config dumps of a large mesh are tens of MB: allow Envoy time to render them. */
const ADMIN_TIMEOUT_MS = 15_000;

export const run = command(spec, async (args, io) => {
  const kind = args.positionals[0] as Kind | undefined;
  if (kind === undefined || !KINDS.includes(kind) || args.positionals.length > 1) {
    throw new VmletError('VMLET_USAGE', `vmlet proxy-config: name one of ${KINDS.join(', ')} (got ${args.positionals.length === 0 ? 'nothing' : JSON.stringify(args.positionals.join(' '))})`);
  }
  const { envoy } = loadConfig(loadInputFrom(args.common, io.env)).config;
  const admin = envoyAdmin('127.0.0.1', envoy.adminPort);
  const path = kind === 'endpoints' ? '/clusters?format=json' : '/config_dump';
  let body: unknown;
  try {
    body = JSON.parse(await admin.get(path, ADMIN_TIMEOUT_MS));
  } catch (err) {
    if (err instanceof VmletError) throw new VmletError(err.code, `${err.message}; is Envoy running (vmlet status) with admin on 127.0.0.1:${envoy.adminPort} (envoy.adminPort)?`, { cause: err });
    throw err;
  }
  const json = args.json;
  if (json && kind !== 'secrets') {
    io.stdout.write(`${JSON.stringify(rawOf(kind, body), null, 2)}\n`);
    return EXIT_OK;
  }
  const rows = rowsOf(kind, body);
  io.stdout.write(json ? `${JSON.stringify(rows, null, 2)}\n` : render(rows, kind));
  return EXIT_OK;
});

function rowsOf(kind: Kind, body: unknown): Row[] {
  switch (kind) {
    case 'clusters': return clusterRows(body);
    case 'listeners': return listenerRows(body);
    case 'routes': return routeRows(body);
    case 'endpoints': return endpointRows(body);
    case 'secrets': return secretRows(body, Date.now());
  }
}

function rawOf(kind: Exclude<Kind, 'secrets'>, body: unknown): unknown {
  switch (kind) {
    case 'clusters': return section(body, 'ClustersConfigDump');
    case 'listeners': return section(body, 'ListenersConfigDump');
    case 'routes': return section(body, 'RoutesConfigDump');
    case 'endpoints': return body;
  }
}

const HEADERS: Readonly<Record<Kind, readonly string[]>> = {
  clusters: ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'],
  listeners: ['NAME', 'ADDRESS', 'PORT', 'DIRECTION', 'DESTINATION', 'STATE'],
  routes: ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'],
  endpoints: ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'],
  secrets: ['RESOURCE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE', 'TRUST DOMAIN'],
};

export function render(rows: readonly Row[], kind: Kind): string {
  const headers = HEADERS[kind];
  const lines = table([headers, ...rows.map((r) => headers.map((h) => r[h] ?? '-'))]);
  // Envoy's reason for each rejected listener, under the table (istioctl has no such column).
  for (const r of rows) if (r['ERROR']) lines.push('', `${r['NAME']} REJECTED: ${r['ERROR']}`);
  return `${lines.join('\n')}\n`;
}
