-- Datasets as artifacts: a registered dataset is a deterministic archive in the artifact store.
ALTER TABLE "Dataset" ADD COLUMN "format" TEXT,
ADD COLUMN "split" TEXT,
ADD COLUMN "sha256" TEXT,
ADD COLUMN "sizeBytes" BIGINT,
ADD COLUMN "imageCount" INTEGER,
ADD COLUMN "objectCount" INTEGER,
ADD COLUMN "classes" JSONB,
ADD COLUMN "registeredAt" TIMESTAMP(3);
