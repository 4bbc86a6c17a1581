-- Zoo queries in SQL (lib/zoo/select-zoo-rows.ts): filters on method and strategy, a page's measurements by model
-- and metric, run rows (models no entry lists), and the zoo version's max(updatedAt) (lib/zoo/zoo-cache.ts).
CREATE INDEX "Model_strategyId_idx" ON "Model"("strategyId");
CREATE INDEX "Model_method_idx" ON "Model"("method");
CREATE INDEX "Model_updatedAt_idx" ON "Model"("updatedAt");
CREATE INDEX "Measurement_modelId_metric_inputSize_idx" ON "Measurement"("modelId", "metric", "inputSize");
CREATE INDEX "ZooEntry_modelId_idx" ON "ZooEntry"("modelId");
CREATE INDEX "RegisteredRun_updatedAt_idx" ON "RegisteredRun"("updatedAt");
