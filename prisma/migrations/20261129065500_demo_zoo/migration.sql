-- AlterEnum
ALTER TYPE "MetricKind" ADD VALUE 'params';

-- CreateTable
CREATE TABLE "DemoZooRun" (
    "id" SERIAL NOT NULL,
    "manifestId" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "runId" UUID NOT NULL,
    "manifestCreatedAt" TEXT NOT NULL,
    "registeredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DemoZooRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DemoZooState" (
    "id" INTEGER NOT NULL,
    "manifestPath" TEXT NOT NULL,
    "manifestSha256" TEXT,
    "manifestCreatedAt" TEXT,
    "problem" TEXT,
    "checkedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DemoZooState_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DemoZooRun_runId_key" ON "DemoZooRun"("runId");

-- CreateIndex
CREATE UNIQUE INDEX "DemoZooRun_manifestId_sha256_key" ON "DemoZooRun"("manifestId", "sha256");

-- AddForeignKey
ALTER TABLE "DemoZooRun" ADD CONSTRAINT "DemoZooRun_runId_fkey" FOREIGN KEY ("runId") REFERENCES "RegisteredRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
