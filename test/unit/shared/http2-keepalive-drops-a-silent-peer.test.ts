// keepPinging: a peer that answers its PINGs keeps the session; one that stops answering has it
// destroyed with the reason given; the pings stop with the session. The session is a FAKE with
// the three members keepPinging uses (ping, destroy, close event), so "unanswered" can be real.
import { EventEmitter } from 'node:events';
import type { Http2Session } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { keepPinging } from '../../../src/grpc/keepalive.js';
import { waitFor } from '../../helpers/wait-for.js';

class FakeSession extends EventEmitter {
  pings = 0;
  destroyedWith: Error | undefined;
  constructor(private readonly answers: () => boolean) { super(); }
  ping(cb: () => void): boolean {
    this.pings += 1;
    if (this.answers()) setImmediate(cb);
    return true;
  }
  destroy(err: Error): void {
    this.destroyedWith = err;
    this.emit('close');
  }
}

const sessions: FakeSession[] = [];
afterEach(() => { for (const s of sessions.splice(0)) s.emit('close'); });

describe('keepPinging', () => {
  it('keeps a session whose peer answers', async () => {
    const s = new FakeSession(() => true);
    sessions.push(s);
    keepPinging(s as unknown as Http2Session, 10, 30, 'peer gone');
    await waitFor(() => s.pings >= 5, { what: '5 pings' });
    expect(s.destroyedWith).toBeUndefined();
  });

  it('destroys the session with the reason once a ping goes unanswered, and stops pinging', async () => {
    let answer = true;
    const s = new FakeSession(() => answer);
    sessions.push(s);
    keepPinging(s as unknown as Http2Session, 10, 30, 'istiod did not answer a keepalive ping');
    await waitFor(() => s.pings >= 2, { what: 'answered pings' });
    answer = false;
    const err = await waitFor(() => s.destroyedWith, { what: 'destroy after an unanswered ping' });
    expect(err.message).toBe('istiod did not answer a keepalive ping');
    const after = s.pings;
    await new Promise((r) => setTimeout(r, 50));
    expect(s.pings).toBe(after);
  });
});
