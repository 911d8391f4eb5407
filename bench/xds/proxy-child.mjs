// Runs vmlet's XdsProxy alone in a process of its own, so the bench can read its peak RSS (VmHWM)
// without counting the client's and the upstream's copies. The upstream is reached through a
// plain pass-through IstiodConnector stand-in (plaintext, loopback) with the same message-size
// options as the real connector (src/istiod/connector.ts).
//
//   node bench/xds/proxy-child.mjs <upstream port> <socket path> [flow window]   (prints "ready")
import { register } from 'tsx/esm/api';

register();
const grpc = await import('@grpc/grpc-js');
const { XdsProxy } = await import('../../src/xds/proxy.ts');
const { silentLogger } = await import('../../src/log.ts');

const [port, socketPath, flowWindow] = process.argv.slice(2);
// The message-size options of the real connector; a flow window only when the bench asks for one.
const opts = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1, ...(flowWindow ? { 'grpc-node.flow_control_window': Number(flowWindow) } : {}) };
/** Pass-through IstiodConnector stand-in: plaintext to the bench's fake upstream. */
const passThroughConnectorStandIn = {
  client: (Ctor) => new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), opts),
  metadata: async () => new grpc.Metadata(),
};
const proxy = new XdsProxy({ socketPath, connector: passThroughConnectorStandIn, logger: silentLogger() });
await proxy.listen();
console.log('ready');
process.stdin.resume();
process.stdin.on('end', async () => { await proxy.close(); process.exit(0); });
