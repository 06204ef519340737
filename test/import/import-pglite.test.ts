import { createPgliteDatabase } from '../../local/aurora/pglite-database.ts';
import { defineImportSuite } from './import-suite.ts';

// Tiny COPY chunks, so every import here also crosses chunk boundaries (inside quoted newlines too).
defineImportSuite('PGlite (in memory, 64-byte COPY chunks)', async () => {
  const database = await createPgliteDatabase({ copyChunkBytes: 64 });
  return { database, close: () => database.close() };
});
