import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (`prisma generate` in postinstall; `prisma migrate deploy` on a connected
// machine with DATABASE_URL set). The app itself never reads this file: see lib/db/.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
