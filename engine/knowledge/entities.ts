/**
 * The knowledge base's tables (R13). Same conventions as store/entities.ts: text ids, epoch-ms
 * BIGINT times, JSON lists as TEXT. The full-text index is not here: it is derived data kept in
 * tables MikroORM does not manage (an FTS5 virtual table on SQLite, a tsvector table on
 * PostgreSQL), created by `ensureKnowledgeSearch` — see searchIndex.ts.
 */
import { EntitySchema } from '@mikro-orm/core';
import { str, text, time } from '../store/columns.ts';

/** One fault-diagnosis article; `rev` counts every accepted change (optimistic locking). */
export const KnowledgeArticle = new EntitySchema({
  name: 'KnowledgeArticle',
  tableName: 'knowledge_articles',
  properties: {
    id: { ...str(64), primary: true },
    /** Stable key of a shipped article (definitions/knowledge); null for articles written in the app. */
    key: str(200, true),
    title: str(500),
    symptom: text(),
    /** JSON string arrays. */
    causes: text(),
    steps: text(),
    productTags: text(),
    language: str(10),
    status: str(20),
    rev: { type: 'integer', columnType: 'integer', nullable: false, default: 1 },
    /** The case (instance) whose review this article was written or updated from. */
    sourceCaseId: str(64, true),
    /** Checksum of the shipped file this article was last loaded from. */
    shippedChecksum: str(64, true),
    createdAt: time(),
    createdBy: str(100),
    updatedAt: time(),
    updatedBy: str(100),
    publishedAt: time(true),
  },
  // Index property names are checked by MikroORM at start-up; its typings cannot see them on plain rows.
  ...({ uniques: [{ properties: ['key'] }], indexes: [{ properties: ['status', 'updatedAt'] }] } as object),
});

/** An article used on a case. */
export const CaseArticle = new EntitySchema({
  name: 'CaseArticle',
  tableName: 'case_articles',
  properties: {
    instanceId: { ...str(64), primary: true },
    articleId: { ...str(64), primary: true },
    linkedBy: str(100),
    linkedAt: time(),
    note: text(true),
  },
  ...({ indexes: [{ properties: ['articleId'] }] } as object),
});

export const knowledgeEntities = [KnowledgeArticle, CaseArticle];
