-- Token scopes: `full` (writes) or `worker` (a measuring device; refused on writes).
ALTER TABLE "ApiToken" ADD COLUMN "scope" TEXT NOT NULL DEFAULT 'full';
