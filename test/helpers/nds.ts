/** Encodes NameTables with the test's own copy of Istio's NDS schema (test/fixtures/nds/nds.proto). */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const text = readFileSync(new URL('../fixtures/nds/nds.proto', import.meta.url), 'utf8');
const type = protobuf.parse(text, { keepCase: true }).root.lookupType('istio.networking.nds.v1.NameTable');

export interface HostInfo {
  ips: string[];
  registry?: string;
  shortname?: string;
  namespace?: string;
  alt_hosts?: string[];
}

/** A Kubernetes service `name.ns.svc.cluster.local`. */
export function k8s(name: string, ns: string, ips: string[]): [string, HostInfo] {
  return [`${name}.${ns}.svc.cluster.local`, { ips, registry: 'Kubernetes', shortname: name, namespace: ns }];
}

/** A ServiceEntry host (registry External). */
export function external(host: string, ips: string[]): [string, HostInfo] {
  return [host, { ips, registry: 'External' }];
}

export function encodeNds(entries: readonly [string, HostInfo][]): Uint8Array {
  return type.encode(type.fromObject({ table: Object.fromEntries(entries) })).finish();
}
