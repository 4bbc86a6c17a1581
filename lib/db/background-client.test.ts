import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { backgroundClientOf, isLocalDatabaseUrl, lowerBackendPriority, registerBackgroundClient } from './background-client';

describe('background client: where a niceness may be set', () => {
  it('a server on this machine: loopback hosts and Unix sockets; anything else, or a URL it cannot parse, is not', () => {
    const local = [
      'postgresql://u:p@127.0.0.1:5432/db',
      'postgresql://u:p@127.8.9.10/db',
      'postgresql://localhost/db',
      'postgresql://u@[::1]:5432/db',
      'postgresql:///db?host=/var/run/postgresql',
    ];
    const remote = [
      'postgresql://u:p@db.example.com:5432/db',
      'postgresql://u:p@10.0.0.5/db',
      'postgresql://u:p@128.0.0.1/db',
      'postgresql://u@/db?host=db.internal',
      'postgresql://u@/db?host=/var/run/postgresql', // WHATWG URL cannot parse it: cannot tell, so not
      'not a url',
      '',
    ];
    expect(local.map(isLocalDatabaseUrl)).toEqual(local.map(() => true));
    expect(remote.map(isLocalDatabaseUrl)).toEqual(remote.map(() => false));
  });

  it('degenerate: no pid, a pid that is not a postgres process, a process that is gone: nothing changes', () => {
    const before = os.getPriority(process.pid);
    expect([null, undefined, 0, -1, 1.5].map((pid) => lowerBackendPriority(pid, 19))).toEqual([false, false, false, false, false]);
    expect(lowerBackendPriority(process.pid, 19)).toBe(false); // node, not postgres
    expect(lowerBackendPriority(2 ** 22 + 12345, 19)).toBe(false); // above Linux's pid_max
    expect(os.getPriority(process.pid)).toBe(before);
  });

  it('a client without a registered twin is its own; a twin is opened once, on first use', () => {
    const plain = {};
    expect(backgroundClientOf(plain)).toBe(plain);
    let opened = 0;
    const db = {};
    const twin = {};
    registerBackgroundClient(db, () => (opened++, twin));
    expect(opened).toBe(0);
    expect([backgroundClientOf(db), backgroundClientOf(db), opened]).toEqual([twin, twin, 1]);
  });
});
