-- Run sections (`runs-<dataset slug>`, lib/zoo/select-zoo-rows.ts) kept as rows, in their display order.
--
-- A run section lists every registered run whose model no stored section (ZooEntry) lists, one row per input size
-- the run asked for (metadata.inputSizes, 1-based `ord`), ordered by the model's family, its baseline group (the
-- baseline's slug, or its own), the baseline first, then the run's creation. These rows were computed at read time:
-- each page joined, expanded, sorted and numbered every run of the dataset (2.1 s for a page of 100 rows at 300,000
-- run rows: docs/scale.md "Run sections at 100,000 runs"). Kept here with an index in that order, a page reads its
-- rows from the index and numbers them as it goes.
--
-- The only writer is slimboard_refresh_run_zoo_rows, called by the triggers below whenever what a row is made of
-- changes: a run is inserted, or its model, metadata or creation changes; a model's family, slug, baseline or dataset
-- changes (its runs, and the runs of the models it is the baseline of); a ZooEntry starts or stops listing a model. A
-- deleted run or model takes its rows with it (foreign keys). Every trigger is per statement with transition tables, so
-- a bulk write (the scale seed's 300,000 ZooEntry rows) refreshes in one set-based statement. The zoo version is
-- bumped by the same writes' own triggers (20261205060000_zoo_version).
CREATE TABLE "RunZooRow" (
    "runId" UUID NOT NULL,
    "ord" INTEGER NOT NULL,
    "modelId" INTEGER NOT NULL,
    "datasetId" INTEGER NOT NULL,
    "inputSize" INTEGER NOT NULL,
    "family" TEXT NOT NULL,
    "groupSlug" TEXT NOT NULL,
    "variant" INTEGER NOT NULL,
    "createdMs" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "RunZooRow_pkey" PRIMARY KEY ("runId","ord")
);

CREATE INDEX "RunZooRow_display_order_idx" ON "RunZooRow"("datasetId", "family", "groupSlug", "variant", "createdMs", "runId", "ord");

CREATE INDEX "RunZooRow_modelId_idx" ON "RunZooRow"("modelId");

ALTER TABLE "RunZooRow" ADD CONSTRAINT "RunZooRow_runId_fkey" FOREIGN KEY ("runId") REFERENCES "RegisteredRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "RunZooRow" ADD CONSTRAINT "RunZooRow_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The rows of these runs, rebuilt from RegisteredRun, Model and ZooEntry. An input size that is not a positive
-- integer of int range gives no row (ZRunMetadata refuses them; older rows are not trusted to).
-- The runs are locked first, in id order: two transactions refreshing one run (one updates the run, the other its
-- model or its ZooEntry) then take turns, and the second, whose statements each see what the first committed,
-- rebuilds from it. Without the lock the second one's INSERT met the first one's rows: a unique violation.
CREATE FUNCTION slimboard_refresh_run_zoo_rows(run_ids uuid[]) RETURNS void LANGUAGE sql AS $$
  SELECT 1 FROM "RegisteredRun" WHERE id = ANY(run_ids) ORDER BY id FOR UPDATE;
  DELETE FROM "RunZooRow" WHERE "runId" = ANY(run_ids);
  INSERT INTO "RunZooRow" ("runId", "ord", "modelId", "datasetId", "inputSize", "family", "groupSlug", "variant", "createdMs")
  SELECT r.id, sz.ord::int, m.id, m."datasetId", (sz.size #>> '{}')::int, m.family, coalesce(b.slug, m.slug),
         (m."baselineId" IS NOT NULL)::int, (extract(epoch FROM r."createdAt") * 1000)::double precision
  FROM "RegisteredRun" r
  JOIN "Model" m ON m.id = r."modelId"
  LEFT JOIN "Model" b ON b.id = m."baselineId"
  CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.metadata -> 'inputSizes') = 'array'
                                               THEN r.metadata -> 'inputSizes' ELSE '[]'::jsonb END)
    WITH ORDINALITY AS sz(size, ord)
  WHERE r.id = ANY(run_ids)
    AND NOT EXISTS (SELECT 1 FROM "ZooEntry" e WHERE e."modelId" = r."modelId")
    AND jsonb_typeof(sz.size) = 'number'
    AND (sz.size #>> '{}')::numeric = trunc((sz.size #>> '{}')::numeric)
    AND (sz.size #>> '{}')::numeric > 0 AND (sz.size #>> '{}')::numeric <= 2147483647;
$$;

-- The rows of every run of these models.
CREATE FUNCTION slimboard_refresh_run_zoo_rows_of_models(model_ids int[]) RETURNS void LANGUAGE sql AS $$
  SELECT slimboard_refresh_run_zoo_rows(ARRAY(SELECT id FROM "RegisteredRun" WHERE "modelId" = ANY(model_ids)));
$$;

CREATE FUNCTION slimboard_run_zoo_rows_run_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM slimboard_refresh_run_zoo_rows(ARRAY(SELECT id FROM new_rows WHERE "modelId" IS NOT NULL));
  RETURN NULL;
END
$$;

CREATE FUNCTION slimboard_run_zoo_rows_run_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM slimboard_refresh_run_zoo_rows(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n."modelId" IS DISTINCT FROM o."modelId" OR n.metadata IS DISTINCT FROM o.metadata
       OR n."createdAt" IS DISTINCT FROM o."createdAt"));
  RETURN NULL;
END
$$;

CREATE FUNCTION slimboard_run_zoo_rows_model_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM slimboard_refresh_run_zoo_rows_of_models(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.family IS DISTINCT FROM o.family OR n.slug IS DISTINCT FROM o.slug
       OR n."baselineId" IS DISTINCT FROM o."baselineId" OR n."datasetId" IS DISTINCT FROM o."datasetId"
    UNION
    SELECT m.id FROM "Model" m JOIN new_rows n ON m."baselineId" = n.id JOIN old_rows o ON o.id = n.id
    WHERE n.slug IS DISTINCT FROM o.slug));
  RETURN NULL;
END
$$;

-- One function per event: a transition table exists only for the events that have it.
CREATE FUNCTION slimboard_run_zoo_rows_entries_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM slimboard_refresh_run_zoo_rows_of_models(ARRAY(SELECT "modelId" FROM new_rows));
  RETURN NULL;
END
$$;

CREATE FUNCTION slimboard_run_zoo_rows_entries_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM slimboard_refresh_run_zoo_rows_of_models(ARRAY(SELECT "modelId" FROM new_rows UNION SELECT "modelId" FROM old_rows));
  RETURN NULL;
END
$$;

CREATE FUNCTION slimboard_run_zoo_rows_entries_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM slimboard_refresh_run_zoo_rows_of_models(ARRAY(SELECT "modelId" FROM old_rows));
  RETURN NULL;
END
$$;

CREATE FUNCTION slimboard_run_zoo_rows_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM slimboard_refresh_run_zoo_rows(ARRAY(SELECT id FROM "RegisteredRun" WHERE "modelId" IS NOT NULL));
  RETURN NULL;
END
$$;

CREATE TRIGGER "RegisteredRun_run_zoo_rows_insert" AFTER INSERT ON "RegisteredRun"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION slimboard_run_zoo_rows_run_inserted();
CREATE TRIGGER "RegisteredRun_run_zoo_rows_update" AFTER UPDATE ON "RegisteredRun"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION slimboard_run_zoo_rows_run_updated();
CREATE TRIGGER "Model_run_zoo_rows_update" AFTER UPDATE ON "Model"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION slimboard_run_zoo_rows_model_updated();
CREATE TRIGGER "ZooEntry_run_zoo_rows_insert" AFTER INSERT ON "ZooEntry"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION slimboard_run_zoo_rows_entries_inserted();
CREATE TRIGGER "ZooEntry_run_zoo_rows_update" AFTER UPDATE ON "ZooEntry"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION slimboard_run_zoo_rows_entries_updated();
CREATE TRIGGER "ZooEntry_run_zoo_rows_delete" AFTER DELETE ON "ZooEntry"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION slimboard_run_zoo_rows_entries_deleted();
-- A truncated ZooEntry lists no model any more: every run with a model gets its rows back.
CREATE TRIGGER "ZooEntry_run_zoo_rows_truncate" AFTER TRUNCATE ON "ZooEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION slimboard_run_zoo_rows_all();

-- The rows of the runs already registered.
SELECT slimboard_refresh_run_zoo_rows(ARRAY(SELECT id FROM "RegisteredRun" WHERE "modelId" IS NOT NULL));
