/** Rows per list card (status team, locked): Teams refuses messages over about 100 KB, and nobody reads 1,000 rows. */
export const MAX_LIST_ROWS = 50;
