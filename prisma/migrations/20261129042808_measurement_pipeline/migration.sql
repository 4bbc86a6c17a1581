-- CreateEnum
CREATE TYPE "RunState" AS ENUM ('receiving', 'queued', 'running', 'done', 'failed');

-- CreateEnum
CREATE TYPE "RunDoor" AS ENUM ('web', 'api', 'cli');

-- CreateEnum
CREATE TYPE "JobKind" AS ENUM ('analyse', 'benchmark', 'evaluate');

-- CreateEnum
CREATE TYPE "RunJobState" AS ENUM ('queued', 'running', 'retrying', 'done', 'failed', 'cancelled');

-- AlterTable
ALTER TABLE "Device" ADD COLUMN     "cpuModel" TEXT,
ADD COLUMN     "executionProvider" TEXT,
ADD COLUMN     "hostname" TEXT,
ADD COLUMN     "lastSeenAt" TIMESTAMP(3),
ADD COLUMN     "logicalCores" INTEGER;

-- CreateTable
CREATE TABLE "RegisteredRun" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "state" "RunState" NOT NULL,
    "failureReason" TEXT,
    "metadata" JSONB NOT NULL,
    "fileName" TEXT NOT NULL,
    "sha256" TEXT,
    "sizeBytes" BIGINT,
    "door" "RunDoor" NOT NULL,
    "tokenId" UUID,
    "modelId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RegisteredRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunJob" (
    "id" TEXT NOT NULL,
    "runId" UUID NOT NULL,
    "kind" "JobKind" NOT NULL,
    "queue" TEXT NOT NULL,
    "inputSize" INTEGER NOT NULL,
    "dataset" TEXT,
    "targetDevice" TEXT,
    "state" "RunJobState" NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "error" TEXT,
    "workerId" TEXT,
    "deviceId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MeasuredResult" (
    "id" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "kind" "JobKind" NOT NULL,
    "dataset" TEXT NOT NULL DEFAULT '',
    "inputSize" INTEGER NOT NULL,
    "device" TEXT NOT NULL DEFAULT '',
    "metrics" JSONB NOT NULL,
    "jobId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "measuredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MeasuredResult_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MeasuredResultHistory" (
    "id" BIGSERIAL NOT NULL,
    "runId" UUID NOT NULL,
    "kind" "JobKind" NOT NULL,
    "dataset" TEXT NOT NULL,
    "inputSize" INTEGER NOT NULL,
    "device" TEXT NOT NULL,
    "metrics" JSONB NOT NULL,
    "jobId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "measuredAt" TIMESTAMP(3) NOT NULL,
    "supersededAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MeasuredResultHistory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "tokenPrefix" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RegisteredRun_modelId_key" ON "RegisteredRun"("modelId");

-- CreateIndex
CREATE INDEX "RegisteredRun_state_idx" ON "RegisteredRun"("state");

-- CreateIndex
CREATE INDEX "RegisteredRun_sha256_idx" ON "RegisteredRun"("sha256");

-- CreateIndex
CREATE INDEX "RunJob_runId_idx" ON "RunJob"("runId");

-- CreateIndex
CREATE INDEX "RunJob_state_idx" ON "RunJob"("state");

-- CreateIndex
CREATE INDEX "MeasuredResult_jobId_idx" ON "MeasuredResult"("jobId");

-- CreateIndex
CREATE UNIQUE INDEX "MeasuredResult_runId_kind_dataset_inputSize_device_key" ON "MeasuredResult"("runId", "kind", "dataset", "inputSize", "device");

-- CreateIndex
CREATE INDEX "MeasuredResultHistory_runId_idx" ON "MeasuredResultHistory"("runId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- AddForeignKey
ALTER TABLE "Measurement" ADD CONSTRAINT "Measurement_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "RunJob"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RegisteredRun" ADD CONSTRAINT "RegisteredRun_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RegisteredRun" ADD CONSTRAINT "RegisteredRun_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunJob" ADD CONSTRAINT "RunJob_runId_fkey" FOREIGN KEY ("runId") REFERENCES "RegisteredRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunJob" ADD CONSTRAINT "RunJob_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MeasuredResult" ADD CONSTRAINT "MeasuredResult_runId_fkey" FOREIGN KEY ("runId") REFERENCES "RegisteredRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MeasuredResult" ADD CONSTRAINT "MeasuredResult_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "RunJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;
