-- A model's lineage and teacher links (lib/zoo/model-dependents.ts reads them on every delete; PostgreSQL's RESTRICT
-- checks read them for every deleted model). Without these, each deleted model scanned "Model" twice: at 205,000
-- models, deleting 100,000 seeded ones in one statement ran for more than 8 minutes (tools/bench/run-sections-scale.ts).
CREATE INDEX "Model_parentId_idx" ON "Model"("parentId");
CREATE INDEX "Model_teacherId_idx" ON "Model"("teacherId");
