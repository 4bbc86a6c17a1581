import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LANE_START_ATTEMPTS, spawnWebLanes, stopWebLanes, type WebLanes } from '../lib/cli/commands/start';
import { freeLocalPort } from '../lib/http/free-local-port';
import { WEB_LANES, webLaneOf } from '../lib/http/web-lanes';

/**
 * `start`'s three web lanes (lib/cli/commands/start.ts spawnWebLanes) when the port picked for a lane is taken by
 * another process before `next start` binds it: the lane exits (EADDRINUSE) and is started again on another port,
 * which the front proxy then uses. The built app (the e2e setup builds it) on the e2e database.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const databaseUrl = inject('databaseUrl');
let lanes: WebLanes | undefined;
let squatter: net.Server | undefined;

afterAll(async () => {
  if (lanes) await stopWebLanes(lanes);
  await new Promise((r) => (squatter ? squatter.close(r) : r(undefined)));
});

describe('web lanes', () => {
  it('a lane whose port another process took is started again on another port, and the proxy follows it', async () => {
    // Holds the port; a connection to it (the start's readiness poll) is closed at once.
    squatter = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => squatter!.listen(0, '127.0.0.1', r));
    const taken = (squatter.address() as net.AddressInfo).port;
    let picks = 0;
    const pickPort = () => (picks++ === 0 ? Promise.resolve(taken) : freeLocalPort());
    const lines: string[] = [];
    const proxyPort = await freeLocalPort();
    lanes = await spawnWebLanes(ROOT, proxyPort, databaseUrl, { stdio: 'pipe', log: (l) => lines.push(l), pickPort });

    const first = WEB_LANES[0];
    expect(lines.join('\n')).toMatch(
      new RegExp(`the ${first} lane exited with code \\d+ before answering on port ${taken} .*another port`),
    );
    expect(lanes.ports[first]).not.toBe(taken);
    expect(picks).toBe(WEB_LANES.length + 1);
    expect(LANE_START_ATTEMPTS).toBeGreaterThan(1);
    // Through the proxy, a page of that lane answers from its new port.
    const pagePath = { browse: '/zoo', export: '/api/zoo?format=csv&source=reported', interactive: '/api/jobs' }[first];
    expect(webLaneOf(pagePath)).toBe(first);
    const res = await fetch(`http://127.0.0.1:${proxyPort}${pagePath}`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }, 180_000);
});
