import { createPostgresDatabase } from '../../functions/shared/aurora/postgres-database.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { defineImportSuite } from './import-suite.ts';

defineImportSuite('PostgreSQL', async () => {
  const testDatabase = await createTestDatabase('ai_import');
  const database = createPostgresDatabase({ connectionString: testDatabase.url });
  return {
    database,
    async close() {
      await database.close();
      await testDatabase.drop();
    },
  };
});
