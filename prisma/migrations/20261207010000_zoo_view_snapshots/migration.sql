-- The last finished value of a slow zoo view per view key and web build (lib/zoo/zoo-view-snapshots.ts): a fresh
-- web process serves it, marked stale when the zoo has moved on, instead of recomputing before its first answer.
-- Not a table the zoo reads: no zoo-version trigger.
CREATE TABLE "ZooViewSnapshot" (
    "key" TEXT NOT NULL,
    "buildId" TEXT NOT NULL,
    "zooVersion" BIGINT NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,
    "computeMs" DOUBLE PRECISION NOT NULL,
    "value" BYTEA NOT NULL,

    CONSTRAINT "ZooViewSnapshot_pkey" PRIMARY KEY ("key","buildId")
);
