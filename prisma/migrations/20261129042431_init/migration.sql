-- CreateEnum
CREATE TYPE "Provenance" AS ENUM ('reported', 'measured');

-- CreateEnum
CREATE TYPE "Method" AS ENUM ('baseline', 'prune', 'distill', 'prune_distill', 'quant', 'nas');

-- CreateEnum
CREATE TYPE "MetricKind" AS ENUM ('box_ap', 'voc_map', 'wider_easy', 'wider_medium', 'wider_hard', 'gflops', 'model_size_mb', 'latency_ms');

-- CreateEnum
CREATE TYPE "ArtifactKind" AS ENUM ('external_url', 'stored_file');

-- CreateTable
CREATE TABLE "SourceDocument" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "url" TEXT,
    "repoPath" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "importedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SourceDocument_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Dataset" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "aliases" TEXT[],

    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Backbone" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "aliases" TEXT[],

    CONSTRAINT "Backbone_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Pretraining" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "aliases" TEXT[],

    CONSTRAINT "Pretraining_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Strategy" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "method" "Method" NOT NULL,
    "description" TEXT NOT NULL,
    "params" JSONB,

    CONSTRAINT "Strategy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Device" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "runtime" TEXT NOT NULL,
    "threads" INTEGER,
    "notes" TEXT,

    CONSTRAINT "Device_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Model" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "backboneId" INTEGER NOT NULL,
    "datasetId" INTEGER NOT NULL,
    "pretrainingId" INTEGER,
    "method" "Method" NOT NULL,
    "strategyId" INTEGER,
    "parentId" INTEGER,
    "baselineId" INTEGER,
    "teacherId" INTEGER,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Artifact" (
    "id" SERIAL NOT NULL,
    "modelId" INTEGER NOT NULL,
    "kind" "ArtifactKind" NOT NULL,
    "format" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "url" TEXT,
    "storagePath" TEXT,
    "sha256" TEXT,
    "sizeBytes" BIGINT,
    "sourceId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Artifact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Measurement" (
    "id" SERIAL NOT NULL,
    "modelId" INTEGER NOT NULL,
    "metric" "MetricKind" NOT NULL,
    "inputSize" INTEGER,
    "deviceId" INTEGER,
    "datasetId" INTEGER,
    "value" DOUBLE PRECISION NOT NULL,
    "decimals" INTEGER,
    "provenance" "Provenance" NOT NULL,
    "sourceId" INTEGER,
    "jobId" TEXT,
    "key" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Measurement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ZooSection" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "sourceTitle" TEXT,
    "position" INTEGER NOT NULL,
    "provenance" "Provenance" NOT NULL,
    "sourceId" INTEGER,
    "columns" TEXT[],
    "notes" TEXT,

    CONSTRAINT "ZooSection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ZooEntry" (
    "id" SERIAL NOT NULL,
    "sectionId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "modelId" INTEGER NOT NULL,
    "inputSize" INTEGER NOT NULL,

    CONSTRAINT "ZooEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SourceDocument_slug_key" ON "SourceDocument"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Dataset_slug_key" ON "Dataset"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Dataset_name_key" ON "Dataset"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Backbone_slug_key" ON "Backbone"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Backbone_name_key" ON "Backbone"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Pretraining_slug_key" ON "Pretraining"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Pretraining_name_key" ON "Pretraining"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Strategy_slug_key" ON "Strategy"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Device_slug_key" ON "Device"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Model_slug_key" ON "Model"("slug");

-- CreateIndex
CREATE INDEX "Model_backboneId_idx" ON "Model"("backboneId");

-- CreateIndex
CREATE INDEX "Model_datasetId_idx" ON "Model"("datasetId");

-- CreateIndex
CREATE INDEX "Model_baselineId_idx" ON "Model"("baselineId");

-- CreateIndex
CREATE UNIQUE INDEX "Artifact_modelId_fileName_key" ON "Artifact"("modelId", "fileName");

-- CreateIndex
CREATE INDEX "Measurement_metric_inputSize_idx" ON "Measurement"("metric", "inputSize");

-- CreateIndex
CREATE INDEX "Measurement_jobId_idx" ON "Measurement"("jobId");

-- CreateIndex
CREATE UNIQUE INDEX "Measurement_modelId_key_key" ON "Measurement"("modelId", "key");

-- CreateIndex
CREATE UNIQUE INDEX "ZooSection_slug_key" ON "ZooSection"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "ZooSection_position_key" ON "ZooSection"("position");

-- CreateIndex
CREATE UNIQUE INDEX "ZooEntry_sectionId_position_key" ON "ZooEntry"("sectionId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "ZooEntry_sectionId_modelId_inputSize_key" ON "ZooEntry"("sectionId", "modelId", "inputSize");

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_backboneId_fkey" FOREIGN KEY ("backboneId") REFERENCES "Backbone"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_pretrainingId_fkey" FOREIGN KEY ("pretrainingId") REFERENCES "Pretraining"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_strategyId_fkey" FOREIGN KEY ("strategyId") REFERENCES "Strategy"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Model"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_baselineId_fkey" FOREIGN KEY ("baselineId") REFERENCES "Model"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_teacherId_fkey" FOREIGN KEY ("teacherId") REFERENCES "Model"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Artifact" ADD CONSTRAINT "Artifact_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Artifact" ADD CONSTRAINT "Artifact_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "SourceDocument"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Measurement" ADD CONSTRAINT "Measurement_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Measurement" ADD CONSTRAINT "Measurement_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Measurement" ADD CONSTRAINT "Measurement_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Measurement" ADD CONSTRAINT "Measurement_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "SourceDocument"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ZooSection" ADD CONSTRAINT "ZooSection_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "SourceDocument"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ZooEntry" ADD CONSTRAINT "ZooEntry_sectionId_fkey" FOREIGN KEY ("sectionId") REFERENCES "ZooSection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ZooEntry" ADD CONSTRAINT "ZooEntry_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;
