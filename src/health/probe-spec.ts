/**
 * The WorkloadGroup probe as istioctl writes it into mesh.yaml (`defaultConfig.readinessProbe`,
 * proto3 JSON of istio.networking.v1alpha3.ReadinessProbe), narrowed from `unknown` with the
 * defaults of pilot-agent's health checker (protocol facts §6.3).
 */

export type ProbeAction =
  | { readonly kind: 'http'; readonly path: string; readonly port: number; readonly host?: string; readonly scheme: 'http' | 'https'; readonly headers: readonly { name: string; value: string }[] }
  | { readonly kind: 'tcp'; readonly port: number; readonly host?: string }
  | { readonly kind: 'exec'; readonly command: readonly string[] }
  | { readonly kind: 'grpc'; readonly port: number; readonly service: string };

export interface ProbeSpec {
  readonly action: ProbeAction;
  /** All in milliseconds. */
  readonly initialDelay: number;
  readonly timeout: number;
  readonly period: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function int(o: Obj, key: string, def: number, problems: string[], min = 0): number {
  const v = o[key];
  if (v === undefined) return def;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    problems.push(`readinessProbe.${key}: ${JSON.stringify(v)} is not a whole number >= ${min}`);
    return def;
  }
  return n;
}

function port(o: Obj, where: string, problems: string[]): number {
  const v = o['port'];
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
    problems.push(`readinessProbe.${where}.port: ${JSON.stringify(v)} is not a port 1..65535 (it is required)`);
    return 0;
  }
  return n;
}

/** `undefined` when there is no probe (then no health reports are sent at all, as in Istio). */
export function parseProbe(raw: unknown): { spec?: ProbeSpec; problems: string[] } {
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { problems };
  if (!isObj(raw)) return { problems: ['readinessProbe: is not an object'] };
  let action: ProbeAction | undefined;
  const kinds = ['httpGet', 'tcpSocket', 'exec', 'grpc'].filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) {
    return { problems: [`readinessProbe: needs exactly one of httpGet, tcpSocket, exec, grpc (found ${kinds.join(', ') || 'none'})`] };
  }
  const body = raw[kinds[0] as string];
  if (!isObj(body)) return { problems: [`readinessProbe.${kinds[0]}: is not an object`] };
  switch (kinds[0]) {
    case 'httpGet': {
      const scheme = String(body['scheme'] ?? 'http').toLowerCase();
      if (scheme !== 'http' && scheme !== 'https') problems.push(`readinessProbe.httpGet.scheme: ${JSON.stringify(body['scheme'])} is not HTTP or HTTPS`);
      const headers = Array.isArray(body['httpHeaders'])
        ? (body['httpHeaders'] as unknown[]).filter(isObj).map((h) => ({ name: String(h['name'] ?? ''), value: String(h['value'] ?? '') }))
        : [];
      // They go into the request as written: a name that is not an HTTP token, or a line break, would change it.
      headers.forEach((h, i) => {
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(h.name)) problems.push(`readinessProbe.httpGet.httpHeaders[${i}].name: ${JSON.stringify(h.name)} is not an HTTP header name`);
        if (/[\r\n\0]/.test(h.value)) problems.push(`readinessProbe.httpGet.httpHeaders[${i}].value: contains a line break or NUL`);
      });
      const path = typeof body['path'] === 'string' && body['path'] !== '' ? (body['path'] as string) : '/';
      if (/[\x00-\x20\x7f]/.test(path)) problems.push(`readinessProbe.httpGet.path: ${JSON.stringify(path)} contains a space or control character (percent-encode it)`);
      action = {
        kind: 'http',
        // A relative path is sent from the root, as Go's URL (pilot-agent's prober) writes it.
        path: path.startsWith('/') ? path : `/${path}`,
        port: port(body, 'httpGet', problems),
        ...(typeof body['host'] === 'string' && body['host'] !== '' ? { host: body['host'] as string } : {}),
        scheme: scheme === 'https' ? 'https' : 'http',
        headers,
      };
      break;
    }
    case 'tcpSocket':
      action = { kind: 'tcp', port: port(body, 'tcpSocket', problems), ...(typeof body['host'] === 'string' && body['host'] !== '' ? { host: body['host'] as string } : {}) };
      break;
    case 'exec': {
      const command = body['command'];
      if (!Array.isArray(command) || command.length === 0 || !command.every((c) => typeof c === 'string')) {
        problems.push('readinessProbe.exec.command: must be a non-empty list of strings (no shell is used)');
      }
      action = { kind: 'exec', command: Array.isArray(command) ? command.map(String) : [] };
      break;
    }
    default:
      action = { kind: 'grpc', port: port(body, 'grpc', problems), service: typeof body['service'] === 'string' ? (body['service'] as string) : '' };
  }
  const spec: ProbeSpec = {
    action,
    initialDelay: int(raw, 'initialDelaySeconds', 0, problems) * 1000,
    timeout: int(raw, 'timeoutSeconds', 1, problems, 1) * 1000,
    period: int(raw, 'periodSeconds', 10, problems, 1) * 1000,
    successThreshold: int(raw, 'successThreshold', 1, problems, 1),
    failureThreshold: int(raw, 'failureThreshold', 1, problems, 1),
  };
  return problems.length > 0 ? { problems } : { spec, problems };
}
