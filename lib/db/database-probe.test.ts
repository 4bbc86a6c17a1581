import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseReachable, errorResponseCode, probeDatabase, startupMessage } from './database-probe';

/** A fake server that answers the first packet with `reply` (or stays silent / hangs up). */
async function fakeServer(reply: Buffer | 'silent' | 'hangup'): Promise<{ url: string; received: Buffer[]; close: () => Promise<void> }> {
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => {
      received.push(d);
      if (reply === 'hangup') s.destroy();
      else if (reply !== 'silent') s.write(reply);
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `postgresql://alice:pw@127.0.0.1:${port}/slim%20db`,
    received,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** An ErrorResponse with severity, SQLSTATE and message fields. */
function errorReply(code: string): Buffer {
  const fields = Buffer.from(`SFATAL\0C${code}\0Mthe database system is starting up\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head[0] = 0x45;
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

const authSasl = Buffer.from([0x52, 0, 0, 0, 23, 0, 0, 0, 10, ...Buffer.from('SCRAM-SHA-256\0\0')]);

const servers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe('the wire-protocol probe', () => {
  it('StartupMessage: length, protocol 3.0 (196608), then user and database as C strings', () => {
    const m = startupMessage('ab', 'c');
    // 8 header bytes + "user\0ab\0database\0c\0\0" (5 + 3 + 9 + 2 + 1 = 20)
    expect(m.length).toBe(28);
    expect(m.readInt32BE(0)).toBe(28);
    expect(m.readInt32BE(4)).toBe(3 * 65536);
    expect(m.subarray(8).toString('utf8')).toBe('user\0ab\0database\0c\0\0');
  });

  it('ErrorResponse: the C field; null for an incomplete reply or another message', () => {
    expect(errorResponseCode(errorReply('57P03'))).toBe('57P03');
    expect(errorResponseCode(errorReply('57P03').subarray(0, 9))).toBeNull();
    expect(errorResponseCode(authSasl)).toBeNull();
    expect(errorResponseCode(Buffer.alloc(0))).toBeNull();
  });

  it("an authentication request is up; the probe sent the URL's user and decoded database", async () => {
    const s = await fakeServer(authSasl);
    servers.push(s);
    expect(await probeDatabase(s.url)).toEqual({ up: true });
    expect(Buffer.concat(s.received).subarray(8).toString('utf8')).toBe('user\0alice\0database\0slim db\0\0');
  });

  it('EXPECTED FAILURE: starting up (57P03) or too many connections (53300) is down; another error code is up', async () => {
    for (const [code, up] of [
      ['57P03', false],
      ['53300', false],
      ['3D000', true],
    ] as const) {
      const s = await fakeServer(errorReply(code));
      servers.push(s);
      expect(await probeDatabase(s.url)).toEqual(up ? { up: true } : { up: false, reason: `PostgreSQL ${code}` });
    }
  });

  it('EXPECTED FAILURE: refused, hung up or silent is down', async () => {
    const hangup = await fakeServer('hangup');
    const silent = await fakeServer('silent');
    servers.push(hangup, silent);
    expect(await probeDatabase(hangup.url)).toMatchObject({ up: false });
    expect(await probeDatabase(silent.url, 200)).toEqual({ up: false, reason: 'no answer within 200 ms' });
    await silent.close();
    servers.pop();
    expect(await probeDatabase(silent.url)).toEqual({ up: false, reason: 'ECONNREFUSED' });
  });

  it('degenerate URLs (not a URL, no host) are reported up: the page reports its own error', async () => {
    expect(await probeDatabase('not a url')).toEqual({ up: true });
    expect(await probeDatabase('postgresql:///db?host=/var/run/postgresql')).toEqual({ up: true });
  });

  it('databaseReachable shares one probe in flight, never reuses "up", reuses "down" for downTtlMs', async () => {
    const s = await fakeServer(authSasl);
    servers.push(s);
    let t = 1_000_000;
    const now = () => t;
    const [a, b] = await Promise.all([databaseReachable(s.url, { now }), databaseReachable(s.url, { now })]);
    expect([a, b]).toEqual([{ up: true }, { up: true }]);
    expect(s.received).toHaveLength(1);
    // The server may have died since: the next request probes again, at the same instant.
    expect(await databaseReachable(s.url, { now })).toEqual({ up: true });
    expect(s.received).toHaveLength(2);

    const down = await fakeServer(errorReply('57P03'));
    servers.push(down);
    expect(await databaseReachable(down.url, { now })).toEqual({ up: false, reason: 'PostgreSQL 57P03' });
    t += 999;
    expect(await databaseReachable(down.url, { now })).toEqual({ up: false, reason: 'PostgreSQL 57P03' });
    expect(down.received).toHaveLength(1);
    t += 2;
    await databaseReachable(down.url, { now });
    expect(down.received).toHaveLength(2);
  });
});
