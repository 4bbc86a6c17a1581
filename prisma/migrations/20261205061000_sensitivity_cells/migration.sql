-- Checkpoints of a sensitivity compress job (lib/compression/sensitivity-store.ts): one row per evaluated cell
-- (param pruned alone at ratio -> Box AP), the unpruned baseline as param '' and ratio 0. A restarted job reads them
-- and evaluates only the missing cells; `attempt` records which attempt computed each.
CREATE TABLE "SensitivityCell" (
    "jobId" TEXT NOT NULL,
    "param" TEXT NOT NULL,
    "ratio" DOUBLE PRECISION NOT NULL,
    "ap" DOUBLE PRECISION NOT NULL,
    "attempt" INTEGER NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SensitivityCell_pkey" PRIMARY KEY ("jobId","param","ratio")
);

ALTER TABLE "SensitivityCell" ADD CONSTRAINT "SensitivityCell_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "RunJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;
