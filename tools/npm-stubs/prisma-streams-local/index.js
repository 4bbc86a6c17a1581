// Stand-in for @prisma/streams-local: only `prisma dev` (Prisma's local Postgres) imports it, and Slimboard never
// runs `prisma dev` (it starts its own embedded PostgreSQL). See docs/install.md.
export async function startLocalDurableStreamsServer() {
  throw new Error(
    '@prisma/streams-local is stubbed out in Slimboard (package.json "overrides"): `prisma dev` is not supported here. ' +
      'Use `npm start`, which starts an embedded PostgreSQL.',
  );
}
