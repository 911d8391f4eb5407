/**
 * `vmlet dns lookup NAME [--type A|AAAA] [--json]`: the answer this VM gets for NAME, and where it
 * came from (the mesh name table or an upstream resolver). It asks the running agent's status
 * server (/debug/dns?name=), which runs the DNS proxy's own resolver, so the answer is exactly
 * the VM's; when that is not reachable it asks the DNS proxy itself (dns.address:dns.port), where
 * only the authoritative bit tells a table answer from a forwarded one. Exit codes: 0 NOERROR
 * (addresses or none), 1 any other rcode or nothing reachable, 2 bad command line.
 */
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { loadConfig } from '../config/index.js';
import type { LookupReport } from '../dns/index.js';
import { EXIT_FAILURE, EXIT_OK, VmletError } from '../errors.js';
import '../dns/errors.js';
import { command, printResult, loadInputFrom, type CliIo, type CommandSpec } from './args.js';
import { fetchText, statusBase } from './status-client.js';

export const spec: CommandSpec = {
  name: 'dns lookup',
  summary: 'Resolve NAME as this VM does (mesh name table or upstream) and say where the answer came from',
  description: 'Asks the running vmlet (status server /debug/dns), else its DNS proxy directly. Exit codes: 0 NOERROR, 1 NXDOMAIN/SERVFAIL or vmlet not reachable, 2 bad command line.',
  positionals: 'NAME',
  json: 'print the answer as JSON',
  options: { type: { type: 'string', help: 'record type: A (default) or AAAA' } },
};

type Report = LookupReport & { via: 'agent' | 'dns-proxy' };

export const run = command(spec, async (args, io) => {
  const name = args.positionals[0];
  if (name === undefined || args.positionals.length > 1) throw new VmletError('VMLET_USAGE', 'give exactly one NAME, e.g. vmlet dns lookup reviews.bookinfo.svc.cluster.local');
  const type = String(args.values.type ?? 'A').toUpperCase();
  if (type !== 'A' && type !== 'AAAA') throw new VmletError('VMLET_USAGE', `--type ${JSON.stringify(args.values.type)}: use A or AAAA`);
  const report = await viaAgent(name, type, args.common, io).catch(async (agentErr: unknown) => {
    const { dns } = loadConfig(loadInputFrom(args.common, io.env)).config;
    return viaProxy(name, type, dns.address, dns.port).catch((proxyErr: unknown) => {
      throw new VmletError('VMLET_DNS_AGENT_UNREACHABLE', `no answer from the running vmlet (${(agentErr as Error).message}) nor from its DNS proxy on ${dns.address}:${dns.port} (${(proxyErr as Error).message}); is vmlet running with DNS on (ISTIO_META_DNS_CAPTURE=true, dns.mode not off)?`);
    });
  });
  printResult(io, args, report, render);
  return report.rcode === 'NOERROR' ? EXIT_OK : EXIT_FAILURE;
});

export function render(r: Report): string {
  const answer = r.addresses.length > 0 ? r.addresses.join(' ') : r.rcode === 'NOERROR' ? '(no address of this type)' : r.rcode;
  const from = r.source === 'table'
    ? `mesh name table${r.host ? ` (host ${r.host})` : ''}`
    : r.source === 'upstream'
      ? `upstream resolver${r.upstream ? ` ${r.upstream}` : ''}`
      : 'the DNS proxy itself (no upstream answered, or a malformed question)';
  return `${r.name} ${r.type}: ${answer}\nfrom: ${from}${r.via === 'dns-proxy' ? ' [asked the DNS proxy directly; the status server was not reachable]' : ''}\n`;
}

async function viaAgent(name: string, type: string, common: Parameters<typeof statusBase>[0], io: CliIo): Promise<Report> {
  const url = `http://${statusBase(common, io.env)}/debug/dns?name=${encodeURIComponent(name)}&type=${type}`;
  const body = JSON.parse(await fetchText(url)) as LookupReport;
  if (typeof body.rcode !== 'string') throw new Error('the running vmlet has DNS off');
  return { ...body, via: 'agent' };
}

function viaProxy(name: string, type: string, address: string, port: number): Promise<Report> {
  return new Promise((resolve, reject) => {
    const s = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error('no answer in 3 s')); }, 3000);
    s.on('error', (err) => { clearTimeout(timer); s.close(); reject(err); });
    s.on('message', (buf) => {
      clearTimeout(timer);
      s.close();
      const m = dnsPacket.decode(buf);
      const rcode = (m as unknown as { rcode: string }).rcode;
      const addresses = (m.answers ?? []).filter((a) => a.type === type).map((a) => String((a as { data: unknown }).data));
      resolve({ name, type, rcode, addresses, source: m.flag_aa ? 'table' : rcode === 'SERVFAIL' ? 'local' : 'upstream', via: 'dns-proxy' });
    });
    s.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: type as 'A', name }] }), port, address);
  });
}
