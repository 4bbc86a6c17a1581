-- A job's progress is not part of the zoo. The zoo reads a RunJob's run, kind and state (jobs done / in all / failed
-- for a run still being measured, lib/zoo/list-zoo-rows.ts); no cached view reads its progress, error, worker or
-- timestamps. The trigger of 20261205060000_zoo_version fired on every UPDATE, so each progress tick of a running
-- measurement (lib/jobs/job-bookkeeping.ts markJobProgress, several a second) bumped the zoo version and every page
-- was rebuilt cold while any job ran. Now only INSERT, DELETE and an UPDATE that sets one of those columns bump it.
DROP TRIGGER "RunJob_zoo_version" ON "RunJob";
CREATE CONSTRAINT TRIGGER "RunJob_zoo_version" AFTER INSERT OR UPDATE OF "runId", "kind", "state" OR DELETE ON "RunJob"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slimboard_bump_zoo_version();
