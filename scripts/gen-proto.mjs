// Generates proto/generated/messages.{js,d.ts} from proto/*.proto with protobufjs-cli: static
// encoders and decoders on protobufjs/minimal, so the agent loads no reflection, no .proto parser
// and compiles no code at run time (measured against protobufjs/light + Root.fromJSON: ~2 MB less
// resident memory and tens of ms less before the first message; proto/README.md). Field names
// keep the .proto's case. `npm run proto`; a unit test checks the committed output is current.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const PROTO_FILES = ['proto/istio/ca.proto', 'proto/istio/nds.proto', 'proto/envoy/discovery.proto', 'proto/envoy/secret.proto', 'proto/grpc/health.proto'];

/** Writes the static module (and its .d.ts) to `out`. */
export function generate(out = 'proto/generated/messages.js') {
  execFileSync('npx', ['--no-install', 'pbjs', '-t', 'static-module', '-w', 'esm', '--keep-case', '--no-verify', '--no-convert', '--no-delimited', '--no-typeurl',
    '-p', 'proto', '-o', out, '-d', ...PROTO_FILES], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) generate(process.argv[2]);
