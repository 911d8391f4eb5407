/**
 * Envoy's own v3 protos (shipped in the dev-only @grpc/grpc-js-xds package: deps/envoy-api, xds,
 * googleapis, protoc-gen-validate), loaded with protobufjs, and a STRICT proto3-JSON checker:
 * every key must be a field of the message (JSON name or proto name), every value must have the
 * field's JSON shape, oneofs hold at most one member, enums must be known names, and `Any`
 * values are resolved by their `@type` and checked the same way. protobufjs' own fromObject
 * ignores unknown keys, which is why this walker exists.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
const DEPS = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
const INCLUDE = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(DEPS, d));
const PBJS = dirname(require.resolve('protobufjs/package.json'));

let cached: protobuf.Root | undefined;

/** The root holding bootstrap, SDS, discovery and every extension vmlet's bootstrap names. */
export function envoyRoot(): protobuf.Root {
  if (cached) return cached;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (target.startsWith('google/protobuf/')) return join(PBJS, target);
    for (const dir of INCLUDE) {
      const p = join(dir, target);
      if (existsSync(p)) return p;
    }
    return target;
  };
  root.loadSync([
    'envoy/config/bootstrap/v3/bootstrap.proto',
    'envoy/service/secret/v3/sds.proto',
    'envoy/service/discovery/v3/discovery.proto',
    'envoy/extensions/transport_sockets/tls/v3/secret.proto',
    'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
    'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
    'envoy/extensions/filters/http/router/v3/router.proto',
    'envoy/extensions/bootstrap/internal_listener/v3/internal_listener.proto',
    'envoy/extensions/access_loggers/file/v3/file.proto',
    // The FAKE Envoy's admin answers (/config_dump, /clusters?format=json).
    'envoy/admin/v3/config_dump.proto',
    'envoy/admin/v3/clusters.proto',
    'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  ], { keepCase: true });
  root.resolveAll();
  cached = root;
  return root;
}

export class StrictJsonError extends Error {}

const INT_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const WRAPPERS = new Set(['DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue']);

/** Throws StrictJsonError naming the JSON path when `json` is not a valid proto3-JSON `typeName`. */
export function parseStrict(typeName: string, json: unknown): void {
  checkMessage(envoyRoot().lookupType(typeName), json, '$');
}

function fail(path: string, why: string): never {
  throw new StrictJsonError(`${path}: ${why}`);
}

function checkMessage(type: protobuf.Type, json: unknown, path: string): void {
  const full = type.fullName.replace(/^\./, '');
  if (full.startsWith('google.protobuf.')) return checkWellKnown(type, full.slice('google.protobuf.'.length), json, path);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail(path, `${full} must be a JSON object`);
  const byJson = new Map<string, protobuf.Field>();
  for (const field of type.fieldsArray) {
    byJson.set(field.name, field);
    byJson.set(camel(field.name), field);
  }
  const oneofSeen = new Map<string, string>();
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const field = byJson.get(key);
    if (!field) fail(`${path}.${key}`, `unknown field of ${full}`);
    if (field.partOf) {
      const prev = oneofSeen.get(field.partOf.name);
      if (prev) fail(`${path}.${key}`, `oneof ${field.partOf.name} already set by ${prev}`);
      oneofSeen.set(field.partOf.name, key);
    }
    checkField(field, value, `${path}.${key}`);
  }
}

function checkField(field: protobuf.Field, value: unknown, path: string): void {
  field.resolve();
  if (field instanceof protobuf.MapField) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(path, 'map must be an object');
    for (const [k, v] of Object.entries(value as object)) checkValue(field, v, `${path}[${k}]`);
    return;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) fail(path, 'repeated field must be an array');
    value.forEach((v, i) => checkValue(field, v, `${path}[${i}]`));
    return;
  }
  checkValue(field, value, path);
}

function checkValue(field: protobuf.Field, value: unknown, path: string): void {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) return checkMessage(rt, value, path);
  if (rt instanceof protobuf.Enum) {
    if (typeof value === 'string' && value in rt.values) return;
    if (typeof value === 'number' && Object.values(rt.values).includes(value)) return;
    fail(path, `${JSON.stringify(value)} is not a value of enum ${rt.name}`);
  }
  checkScalar(field.type, value, path);
}

function checkScalar(type: string, value: unknown, path: string): void {
  if (type === 'string') { if (typeof value !== 'string') fail(path, 'expected a string'); return; }
  if (type === 'bool') { if (typeof value !== 'boolean') fail(path, 'expected true or false'); return; }
  if (type === 'bytes') {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) fail(path, 'expected base64 bytes');
    return;
  }
  if (type === 'double' || type === 'float') { if (typeof value !== 'number' && !['NaN', 'Infinity', '-Infinity'].includes(value as string)) fail(path, 'expected a number'); return; }
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' && LONG_TYPES.has(type) ? value : undefined;
  if (text === undefined || !/^-?\d+$/.test(text)) fail(path, `expected an integer (${type})`);
  if (type.startsWith('u') || type.startsWith('fixed')) { if (text.startsWith('-')) fail(path, `${type} cannot be negative`); }
  if (INT_TYPES.has(type)) {
    const n = Number(text);
    const max = type.startsWith('u') || type === 'fixed32' ? 2 ** 32 - 1 : 2 ** 31 - 1;
    if (n > max || n < -(2 ** 31)) fail(path, `${n} out of range for ${type}`);
  }
}

function checkWellKnown(type: protobuf.Type, name: string, json: unknown, path: string): void {
  if (name === 'Any') {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) fail(path, 'Any must be an object');
    const { '@type': url, ...rest } = json as Record<string, unknown>;
    if (typeof url !== 'string' || !url.includes('/')) fail(path, 'Any needs "@type": "type.googleapis.com/<message>"');
    const inner = envoyRoot().lookup(url.slice(url.lastIndexOf('/') + 1));
    if (!(inner instanceof protobuf.Type)) fail(path, `Any @type ${url} is not a known message`);
    const innerFull = inner.fullName.replace(/^\./, '');
    if (innerFull.startsWith('google.protobuf.') && !['Struct', 'Any'].includes(innerFull.slice(16))) return checkWellKnown(inner, innerFull.slice(16), rest.value, `${path}.value`);
    return checkMessage(inner, rest, path);
  }
  if (name === 'Duration') {
    if (typeof json !== 'string' || !/^-?\d+(\.\d{1,9})?s$/.test(json)) fail(path, `Duration must be a string like "1.5s", got ${JSON.stringify(json)}`);
    return;
  }
  if (name === 'Timestamp') { if (typeof json !== 'string' || Number.isNaN(Date.parse(json))) fail(path, 'Timestamp must be RFC 3339'); return; }
  if (name === 'Struct') { if (json === null || typeof json !== 'object' || Array.isArray(json)) fail(path, 'Struct must be an object'); return; }
  if (name === 'Value') return;
  if (name === 'ListValue') { if (!Array.isArray(json)) fail(path, 'ListValue must be an array'); return; }
  if (name === 'Empty') { if (json === null || typeof json !== 'object' || Object.keys(json).length > 0) fail(path, 'Empty must be {}'); return; }
  if (name === 'FieldMask') { if (typeof json !== 'string') fail(path, 'FieldMask must be a string'); return; }
  if (WRAPPERS.has(name)) {
    const valueField = type.fields.value;
    if (!valueField) fail(path, `wrapper ${name} without value`);
    return checkScalar(valueField.type, json, path);
  }
  checkMessage(type, json, path);
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
