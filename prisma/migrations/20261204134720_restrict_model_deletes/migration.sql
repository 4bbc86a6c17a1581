-- DropForeignKey
ALTER TABLE "Model" DROP CONSTRAINT "Model_baselineId_fkey";

-- DropForeignKey
ALTER TABLE "Model" DROP CONSTRAINT "Model_parentId_fkey";

-- DropForeignKey
ALTER TABLE "Model" DROP CONSTRAINT "Model_teacherId_fkey";

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Model"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_baselineId_fkey" FOREIGN KEY ("baselineId") REFERENCES "Model"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_teacherId_fkey" FOREIGN KEY ("teacherId") REFERENCES "Model"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
