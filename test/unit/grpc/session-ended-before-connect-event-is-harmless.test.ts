// A client session ended (by a call's deadline, a close) after its handshake but before its
// 'connect' event ran: the handler must not touch the destroyed session. setLocalWindowSize threw
// ERR_HTTP2_INVALID_SESSION from the event handler and ended vmlet (seen with 50 agents starting
// against a loaded istiod). The event is emitted directly: the race it stands for is a few
// microseconds wide.
import { describe, expect, it } from 'vitest';
import { connectSession } from '../../../src/grpc/session.js';

describe('a session ended before its connect event', () => {
  it('the connect handler leaves the destroyed session alone', () => {
    const session = connectSession({ address: '127.0.0.1:9', tls: undefined, windowBytes: 1 << 20, peer: 'istiod' });
    session.destroy();
    expect(session.destroyed).toBe(true);
    expect(() => session.emit('connect', session, { setNoDelay: () => undefined })).not.toThrow();
  });
});
