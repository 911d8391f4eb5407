// Part of the FAKE Envoy: loads Envoy's own v3 .proto files (shipped in the dev-only
// @grpc/grpc-js-xds package) with protobufjs, for the fake's SDS and ADS clients.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const require = createRequire(import.meta.url);

export function envoyProtoRoot(files) {
  const protobuf = require('protobufjs');
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  const pbjs = dirname(require.resolve('protobufjs/package.json'));
  const root = new protobuf.Root();
  root.resolvePath = (_o, target) => {
    if (target.startsWith('google/protobuf/')) return join(pbjs, target);
    for (const d of ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate']) if (existsSync(join(deps, d, target))) return join(deps, d, target);
    return target;
  };
  root.loadSync(files, { keepCase: true });
  return root;
}
