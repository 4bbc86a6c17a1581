-- Per-model lineage (issue 13): pruned params and ratios, teacher and quantization mode belong to each model,
-- not to the Strategy row that models of the same strategy name share. Values move from Strategy.params onto
-- the models; a model that declares none gets none.
ALTER TABLE "Model" ADD COLUMN "lineage" JSONB;

-- Registered (measured) models: the strategyParams their run declared, when it declared any.
UPDATE "Model" m SET "lineage" = r."metadata"->'strategyParams'
  FROM "RegisteredRun" r
 WHERE r."modelId" = m."id"
   AND jsonb_typeof(r."metadata"->'strategyParams') = 'object'
   AND r."metadata"->'strategyParams' <> '{}'::jsonb;

-- Seed (catalog) models: their strategy's published pruning parameters become their own ...
UPDATE "Model" m SET "lineage" = jsonb_build_object('prunedParams', s."params"->'prunedParams', 'prunedRatios', s."params"->'prunedRatios')
  FROM "Strategy" s
 WHERE m."strategyId" = s."id"
   AND jsonb_typeof(s."params"->'prunedParams') = 'array'
   AND jsonb_typeof(s."params"->'prunedRatios') = 'array'
   AND NOT EXISTS (SELECT 1 FROM "RegisteredRun" r WHERE r."modelId" = m."id");

-- ... and a quantized seed model's mode is the name of its strategy (post / aware).
UPDATE "Model" m SET "lineage" = jsonb_build_object('quantMode', s."slug")
  FROM "Strategy" s
 WHERE m."strategyId" = s."id"
   AND m."method" = 'quant'
   AND s."slug" IN ('post', 'aware')
   AND NOT EXISTS (SELECT 1 FROM "RegisteredRun" r WHERE r."modelId" = m."id");

ALTER TABLE "Strategy" DROP COLUMN "params";

-- A run that declared no adapter and is measured with an earlier run's (same bytes): which run.
ALTER TABLE "RegisteredRun" ADD COLUMN "adapterFromRunId" UUID;
