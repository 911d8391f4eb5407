import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/bootstrap.js';
import { parseStrict } from '../../helpers/envoy-protos.js';
import { ISTIO_FIXTURE } from '../../helpers/test-config.js';

const EMPTY = join(import.meta.dirname, '..', '..', 'helpers', 'empty-config.yaml');

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env: {} });
  return { code, out, err };
}

describe('vmlet bootstrap print', () => {
  it('prints the bootstrap for the istioctl files, which Envoy\'s protos accept strictly', async () => {
    const { code, out } = await cli(['--istio-dir', ISTIO_FIXTURE, '--config', EMPTY]);
    expect(code).toBe(0);
    const b = JSON.parse(out);
    parseStrict('envoy.config.bootstrap.v3.Bootstrap', b);
    expect(b.node.cluster).toBe('vm-app.bar');
    expect(b.node.id).toMatch(/^sidecar~[^~]+~[^~]+\.bar~bar\.svc\.cluster\.local$/);
    expect(b.node.metadata).toMatchObject({ DNS_CAPTURE: 'true', AUTO_REGISTER_GROUP: 'vm-app', NAMESPACE: 'bar' });
    expect(typeof b.node.metadata.INSTANCE_IPS).toBe('string');
    expect(b.dynamic_resources.ads_config.api_type).toBe('DELTA_GRPC');
  });

  it('follows the options: --set envoy.deltaXds=false selects GRPC; --args prints Envoy\'s command line', async () => {
    const sotw = await cli(['--istio-dir', ISTIO_FIXTURE, '--config', EMPTY, '--set', 'envoy.deltaXds=false']);
    expect(JSON.parse(sotw.out).dynamic_resources.ads_config.api_type).toBe('GRPC');
    const args = await cli(['--istio-dir', ISTIO_FIXTURE, '--config', EMPTY, '--args', '--set', 'envoy.concurrency=2']);
    expect(args.out.trim()).toBe('/usr/local/bin/envoy -c /etc/istio/proxy/envoy-rev.json --drain-time-s 45 --drain-strategy immediate --local-address-ip-version v4 --file-flush-interval-msec 1000 --disable-hot-restart --allow-unknown-static-fields -l warning --skip-deprecated-logs --concurrency 2');
  });
});
