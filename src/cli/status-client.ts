/**
 * How CLI commands reach the running agent's local status server: the address from the same
 * configuration inputs `vmlet run` reads (general.statusAddress:statusPort), and one bounded GET.
 * An unreachable server is VMLET_STATUS_UNREACHABLE (exit 1).
 */
import { get } from 'node:http';
import { loadConfig } from '../config/index.js';
import { VmletError } from '../errors.js';
import '../status/errors.js';
import { loadInputFrom, type CliIo, type CommonOptions } from './args.js';

/** host:port of the status server. Only the address is read: other problems are `vmlet validate`'s. */
export function statusBase(common: CommonOptions, env: CliIo['env']): string {
  const { general } = loadConfig(loadInputFrom(common, env)).config;
  const host = general.statusAddress.includes(':') ? `[${general.statusAddress}]` : general.statusAddress;
  return `${host}:${general.statusPort}`;
}

export function unreachable(url: string, err: Error): VmletError {
  return new VmletError('VMLET_STATUS_UNREACHABLE', `cannot reach ${url}: ${err.message}; is \`vmlet run\` running with this general.statusPort?`, { cause: err });
}

/** GET `url`, 5 s at most; anything but 200 is VMLET_STATUS_UNREACHABLE. */
export function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => {
        if (res.statusCode === 200) resolve(body);
        else reject(unreachable(url, new Error(`HTTP ${res.statusCode}`)));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 5 s')));
    req.on('error', (err) => reject(unreachable(url, err)));
  });
}
