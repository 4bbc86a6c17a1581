-- Owners (docs/owners.md): a token's owner handle (default its name, blanks as '-') and role (`user` or `admin`);
-- a run's owner: its token's owner, else `local` (the local CLI, the demo zoo).
ALTER TABLE "ApiToken" ADD COLUMN "owner" TEXT;
UPDATE "ApiToken" SET "owner" = left(regexp_replace(btrim(name), '[^A-Za-z0-9_.@-]+', '-', 'g'), 64);
ALTER TABLE "ApiToken" ALTER COLUMN "owner" SET NOT NULL;
ALTER TABLE "ApiToken" ADD COLUMN "role" TEXT NOT NULL DEFAULT 'user';

ALTER TABLE "RegisteredRun" ADD COLUMN "owner" TEXT NOT NULL DEFAULT 'local';
UPDATE "RegisteredRun" r SET "owner" = t."owner" FROM "ApiToken" t WHERE t.id = r."tokenId";
CREATE INDEX "RegisteredRun_owner_idx" ON "RegisteredRun"("owner");
