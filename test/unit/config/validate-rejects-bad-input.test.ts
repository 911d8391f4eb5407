// Each bad input of issue 2 makes `vmlet validate` exit 2 with a message naming the file, the
// line (where the input has lines) and the key, and leaves the disk exactly as it was.
import { appendFileSync, chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixture, LEAF_CERT, runVmlet, snapshotTree } from './cli-harness.js';

interface Case {
  name: string;
  /** Breaks something in `istio` (the copied fixture) or writes `dir/config.yaml`. */
  arrange(istio: string, dir: string): void;
  env?: Record<string, string>;
  withConfig?: boolean;
  code: string;
  /** Expected text in the message: file name, `:line`, key. */
  file?: string;
  line?: number;
  key?: string;
}

const config = (dir: string, text: string) => writeFileSync(join(dir, 'config.yaml'), text);

const cases: Case[] = [
  { name: 'missing cluster.env', arrange: (i) => rmSync(join(i, 'cluster.env')), code: 'VMLET_CONFIG_FILE_MISSING', file: 'cluster.env' },
  { name: 'missing root-cert.pem', arrange: (i) => rmSync(join(i, 'root-cert.pem')), code: 'VMLET_CONFIG_FILE_MISSING', file: 'root-cert.pem' },
  { name: 'missing hosts', arrange: (i) => rmSync(join(i, 'hosts')), code: 'VMLET_CONFIG_FILE_MISSING', file: 'hosts' },
  {
    name: 'unreadable mesh.yaml (a directory in its place)',
    arrange: (i) => { rmSync(join(i, 'mesh.yaml')); mkdirSync(join(i, 'mesh.yaml')); },
    code: 'VMLET_CONFIG_FILE_UNREADABLE', file: 'mesh.yaml',
  },
  { name: 'missing --config file', arrange: () => undefined, withConfig: true, code: 'VMLET_CONFIG_FILE_MISSING', file: 'config.yaml' },
  {
    name: 'cluster.env unterminated quote',
    arrange: (i) => appendFileSync(join(i, 'cluster.env'), "ISTIO_SVC_IP='10.0.0.5\n"),
    code: 'VMLET_CLUSTER_ENV_SYNTAX', file: 'cluster.env', line: 19, key: 'ISTIO_SVC_IP',
  },
  {
    name: 'cluster.env line without =',
    arrange: (i) => appendFileSync(join(i, 'cluster.env'), 'just some words\n'),
    code: 'VMLET_CLUSTER_ENV_SYNTAX', file: 'cluster.env', line: 19,
  },
  {
    name: 'cluster.env shell expansion',
    arrange: (i) => appendFileSync(join(i, 'cluster.env'), 'ISTIO_SVC_IP=$HOST_IP\n'),
    code: 'VMLET_CLUSTER_ENV_SYNTAX', file: 'cluster.env', line: 19, key: 'ISTIO_SVC_IP',
  },
  {
    name: 'unknown key in config.yaml',
    arrange: (_i, d) => config(d, 'general:\n  statusPort: 15020\n  stausAddress: 127.0.0.1\n'),
    withConfig: true, code: 'VMLET_CONFIG_UNKNOWN_KEY', file: 'config.yaml', line: 3, key: 'general.stausAddress',
  },
  {
    name: 'unknown section in config.yaml',
    arrange: (_i, d) => config(d, '# vmlet\ngenerall:\n  statusPort: 15020\n'),
    withConfig: true, code: 'VMLET_CONFIG_UNKNOWN_KEY', file: 'config.yaml', line: 2, key: 'generall',
  },
  {
    name: 'wrong type (bool)',
    arrange: (_i, d) => config(d, 'general:\n  allowNonLoopback: maybe\n'),
    withConfig: true, code: 'VMLET_CONFIG_BAD_VALUE', file: 'config.yaml', line: 2, key: 'general.allowNonLoopback',
  },
  {
    name: 'wrong type (a list where a port goes)',
    arrange: (_i, d) => config(d, 'general:\n  logLevel: info\n  statusPort: [1, 2]\n'),
    withConfig: true, code: 'VMLET_CONFIG_BAD_VALUE', file: 'config.yaml', line: 3, key: 'general.statusPort',
  },
  {
    name: 'port out of range',
    arrange: (_i, d) => config(d, 'general:\n  statusPort: 70000\n'),
    withConfig: true, code: 'VMLET_CONFIG_BAD_VALUE', file: 'config.yaml', line: 2, key: 'general.statusPort',
  },
  {
    name: 'port out of range from the environment',
    arrange: () => undefined, env: { VMLET_STATUS_PORT: '-1' },
    code: 'VMLET_CONFIG_BAD_VALUE', key: 'VMLET_STATUS_PORT',
  },
  {
    name: 'discovery address not host:port (mesh.yaml)',
    arrange: (i) => writeFileSync(join(i, 'mesh.yaml'), 'defaultConfig:\n  meshId: mesh1\n  discoveryAddress: istiod.istio-system.svc\n'),
    code: 'VMLET_CONFIG_BAD_VALUE', file: 'mesh.yaml', line: 3, key: 'defaultConfig.discoveryAddress',
  },
  {
    name: 'discovery address not host:port (cluster.env CA_ADDR)',
    arrange: (i) => appendFileSync(join(i, 'cluster.env'), "CA_ADDR='istiod-canary.istio-system.svc:abc'\n"),
    code: 'VMLET_CONFIG_BAD_VALUE', file: 'cluster.env', line: 19, key: 'CA_ADDR',
  },
  {
    name: 'invalid YAML in config.yaml (tab indentation)',
    arrange: (_i, d) => config(d, 'general:\n  statusPort: 15020\n\tlogLevel: debug\n'),
    withConfig: true, code: 'VMLET_CONFIG_YAML_SYNTAX', file: 'config.yaml', line: 3,
  },
  {
    name: 'invalid YAML in mesh.yaml',
    arrange: (i) => writeFileSync(join(i, 'mesh.yaml'), 'defaultConfig:\n  proxyMetadata: {A: "1"\n'),
    code: 'VMLET_CONFIG_YAML_SYNTAX', file: 'mesh.yaml',
  },
  {
    name: 'mesh.yaml defaultConfig is not a mapping',
    arrange: (i) => writeFileSync(join(i, 'mesh.yaml'), 'defaultConfig: [1, 2]\n'),
    code: 'VMLET_CONFIG_YAML_SYNTAX', file: 'mesh.yaml', line: 1, key: 'defaultConfig',
  },
  { name: 'empty token file', arrange: (i) => writeFileSync(join(i, 'istio-token'), ''), code: 'VMLET_TOKEN_FILE_EMPTY', file: 'istio-token' },
  {
    name: 'root-cert.pem not PEM',
    arrange: (i) => writeFileSync(join(i, 'root-cert.pem'), 'MIIBdzCCAR2gAwIBAgIUZ just base64, no armour\n'),
    code: 'VMLET_ROOT_CERT_INVALID', file: 'root-cert.pem',
  },
  {
    name: 'root-cert.pem not a CA',
    arrange: (i) => cpSync(LEAF_CERT, join(i, 'root-cert.pem')),
    code: 'VMLET_ROOT_CERT_INVALID', file: 'root-cert.pem', line: 1,
  },
  {
    name: 'root-cert.pem holds a private key',
    arrange: (i) => writeFileSync(join(i, 'root-cert.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
    code: 'VMLET_ROOT_CERT_INVALID', file: 'root-cert.pem', line: 1,
  },
  {
    name: 'hosts line without a name',
    arrange: (i) => writeFileSync(join(i, 'hosts'), '10.0.0.9\n'),
    code: 'VMLET_HOSTS_SYNTAX', file: 'hosts', line: 1,
  },
  {
    name: 'contradictory: non-loopback status address without allowNonLoopback',
    arrange: (_i, d) => config(d, 'general:\n  statusAddress: 0.0.0.0\n'),
    withConfig: true, code: 'VMLET_CONFIG_CONFLICT', file: 'config.yaml', line: 2, key: 'general.statusAddress',
  },
  {
    name: 'contradictory: drain longer than the shutdown budget',
    arrange: (_i, d) => config(d, 'general:\n  shutdownTimeout: 10s\n  drainGrace: 1m\n'),
    withConfig: true, code: 'VMLET_CONFIG_CONFLICT', file: 'config.yaml', line: 3, key: 'general.drainGrace',
  },
];

describe('vmlet validate rejects bad input with exit 2, file, line and key, and writes nothing', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it.each(cases)('$name', (c) => {
    const tmp = copyFixture();
    cleanup = tmp.cleanup;
    const istio = join(tmp.dir, 'istio');
    c.arrange(istio, tmp.dir);
    const before = snapshotTree(tmp.dir);
    const state = join(tmp.dir, 'state');
    const args = ['validate', '--istio-dir', istio, ...(c.withConfig ? ['--config', join(tmp.dir, 'config.yaml')] : [])];
    const r = runVmlet(args, { VMLET_STATE_DIR: state, VMLET_RUN_DIR: join(tmp.dir, 'run'), ...(c.env ?? {}) });

    expect(r.code, r.stderr).toBe(2);
    const line = r.stderr.split('\n').find((l) => l.includes(`[${c.code}]`));
    expect(line, `no ${c.code} line in:\n${r.stderr}`).toBeDefined();
    if (c.file) expect(line).toContain(c.file);
    if (c.line) expect(line).toMatch(new RegExp(`${c.file?.replace('.', '\\.') ?? ''}:${c.line}: `));
    if (c.key) expect(line).toContain(c.key);
    expect(line).toMatch(/; \S/); // what is wrong; what to do
    expect(r.stderr).toContain('nothing was changed');
    expect(snapshotTree(tmp.dir)).toEqual(before);
  });

  it('reports every problem at once, not only the first', () => {
    const tmp = copyFixture();
    cleanup = tmp.cleanup;
    const istio = join(tmp.dir, 'istio');
    writeFileSync(join(istio, 'istio-token'), '');
    appendFileSync(join(istio, 'cluster.env'), "BROKEN='\n");
    config(tmp.dir, 'general:\n  statusPort: 99999\n  nope: 1\n');
    const r = runVmlet(['validate', '--istio-dir', istio, '--config', join(tmp.dir, 'config.yaml')]);
    expect(r.code).toBe(2);
    for (const code of ['VMLET_TOKEN_FILE_EMPTY', 'VMLET_CLUSTER_ENV_SYNTAX', 'VMLET_CONFIG_BAD_VALUE', 'VMLET_CONFIG_UNKNOWN_KEY']) {
      expect(r.stderr).toContain(`[${code}]`);
    }
    expect(r.stderr).toContain('4 problem(s)');
  });

  it('a file without read permission is reported as unreadable', () => {
    const tmp = copyFixture();
    cleanup = tmp.cleanup;
    const istio = join(tmp.dir, 'istio');
    chmodSync(tmp.dir, 0o755);
    chmodSync(istio, 0o755);
    chmodSync(join(istio, 'root-cert.pem'), 0o000);
    // Root reads anything: as root, run vmlet as nobody (65534) so the mode bits matter.
    const uid = process.getuid?.() === 0 ? 65534 : undefined;
    const r = runVmlet(['validate', '--istio-dir', istio], {}, tmp.dir, uid);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${join(istio, 'root-cert.pem')}: cannot be read: permission denied`);
    expect(r.stderr).toContain('[VMLET_CONFIG_FILE_UNREADABLE]');
  });

  it('a wrong --istio-dir is one clear problem, not five', () => {
    const r = runVmlet(['validate', '--istio-dir', '/nonexistent/istio-out']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/istio-out: has none of cluster.env, mesh.yaml');
    expect(r.stderr.match(/VMLET_CONFIG_FILE_MISSING/g)).toHaveLength(1);
  });

  it('an unknown flag is a usage error (exit 2)', () => {
    const r = runVmlet(['validate', '--istio-dri', '/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--istio-dri');
    expect(r.stderr).toContain('[VMLET_USAGE]');
  });
});
