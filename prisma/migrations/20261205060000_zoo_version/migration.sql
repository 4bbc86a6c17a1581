-- The zoo's version (lib/zoo/zoo-cache.ts): one row, bumped once by every committing transaction that wrote a table
-- the zoo reads. Reading it is one primary-key lookup, where the earlier fingerprint counted rows (count(*) over
-- ZooEntry and Model: 150 to 250 ms at 300,000 zoo rows).
--
-- The bump runs in a DEFERRABLE INITIALLY DEFERRED constraint trigger, i.e. just before the writer commits: the row
-- lock on "ZooVersion" is held only for the commit, so concurrent writers queue for milliseconds, never for their
-- whole transaction, and no lock is taken after it (no deadlock). It is transactional (MVCC): a reader sees the new
-- version only together with the data of the commit that made it, so nothing stale is cached under a new version.
-- Constraint triggers are per row; a transaction-local setting makes all but the first call of a transaction return
-- at once (a bulk INSERT of 500,000 measurements bumps once). TRUNCATE has a statement trigger of its own.
CREATE TABLE "ZooVersion" (
    "id" SMALLINT NOT NULL,
    "version" BIGINT NOT NULL,
    CONSTRAINT "ZooVersion_pkey" PRIMARY KEY ("id")
);
INSERT INTO "ZooVersion" ("id", "version") VALUES (1, 1);

CREATE FUNCTION slimboard_bump_zoo_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('slimboard.zoo_version_bumped', true) IS DISTINCT FROM 'on' THEN
    PERFORM set_config('slimboard.zoo_version_bumped', 'on', true);
    UPDATE "ZooVersion" SET "version" = "version" + 1 WHERE "id" = 1;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION slimboard_bump_zoo_version_now() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "ZooVersion" SET "version" = "version" + 1 WHERE "id" = 1;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER "SourceDocument_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "SourceDocument"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "SourceDocument_zoo_version_truncate" AFTER TRUNCATE ON "SourceDocument" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "Dataset_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "Dataset"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "Dataset_zoo_version_truncate" AFTER TRUNCATE ON "Dataset" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "Backbone_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "Backbone"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "Backbone_zoo_version_truncate" AFTER TRUNCATE ON "Backbone" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "Pretraining_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "Pretraining"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "Pretraining_zoo_version_truncate" AFTER TRUNCATE ON "Pretraining" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "Strategy_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "Strategy"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "Strategy_zoo_version_truncate" AFTER TRUNCATE ON "Strategy" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "Device_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "Device"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "Device_zoo_version_truncate" AFTER TRUNCATE ON "Device" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "Model_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "Model"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "Model_zoo_version_truncate" AFTER TRUNCATE ON "Model" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "Artifact_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "Artifact"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "Artifact_zoo_version_truncate" AFTER TRUNCATE ON "Artifact" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "Measurement_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "Measurement"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "Measurement_zoo_version_truncate" AFTER TRUNCATE ON "Measurement" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "ZooSection_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "ZooSection"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "ZooSection_zoo_version_truncate" AFTER TRUNCATE ON "ZooSection" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "ZooEntry_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "ZooEntry"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "ZooEntry_zoo_version_truncate" AFTER TRUNCATE ON "ZooEntry" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "RegisteredRun_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "RegisteredRun"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "RegisteredRun_zoo_version_truncate" AFTER TRUNCATE ON "RegisteredRun" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "RunJob_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "RunJob"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "RunJob_zoo_version_truncate" AFTER TRUNCATE ON "RunJob" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "MeasuredResult_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "MeasuredResult"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "MeasuredResult_zoo_version_truncate" AFTER TRUNCATE ON "MeasuredResult" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "DemoZooRun_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "DemoZooRun"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "DemoZooRun_zoo_version_truncate" AFTER TRUNCATE ON "DemoZooRun" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();

CREATE CONSTRAINT TRIGGER "DemoZooState_zoo_version" AFTER INSERT OR UPDATE OR DELETE ON "DemoZooState"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
CREATE TRIGGER "DemoZooState_zoo_version_truncate" AFTER TRUNCATE ON "DemoZooState" FOR EACH STATEMENT EXECUTE FUNCTION slimboard_bump_zoo_version_now();
