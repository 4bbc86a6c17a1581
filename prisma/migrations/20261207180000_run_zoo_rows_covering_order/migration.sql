-- RunZooRow's display-order index also holds "modelId" and "inputSize", after the key that fixes the order ("runId",
-- "ord" is the primary key, so they change no order). It then covers every column a run section's rows are read with,
-- and a sort over a whole section can read it as an index-only scan instead of reading the table: at 300,000 rows,
-- vacuumed, sort=model 550 to 581 ms -> 488 to 490 ms, sort=gflops 1,176 to 1,187 ms -> 1,068 to 1,103 ms
-- (docs/scale.md, "A covering display-order index").
DROP INDEX "RunZooRow_display_order_idx";
CREATE INDEX "RunZooRow_display_order_idx" ON "RunZooRow"("datasetId", "family", "groupSlug", "variant", "createdMs", "runId", "ord", "modelId", "inputSize");
