/** Azure Cosmos DB's limits that the embedded store enforces as the service does. */

/** One item. */
export const maxItemBytes = 2 * 1024 * 1024;

/** Operations in one transactional batch (or one bulk request). */
export const maxBatchOperations = 100;

/** The body of one transactional batch (or one bulk request). */
export const maxBatchBytes = 2 * 1024 * 1024;
