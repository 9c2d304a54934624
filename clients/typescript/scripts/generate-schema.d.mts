/** Types of generate-schema.mjs, for test/schema-drift.test.ts. */
export declare const SCHEMA_FILE: string;
export declare const REGENERATE: string;
export declare function renderSchema(document: unknown): Promise<string>;
