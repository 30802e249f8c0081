/**
 * The fault-diagnosis knowledge base (R13): articles written and published by supervisors, ranked
 * search in Chinese and English, the articles used on a case, and the shipped starter articles.
 * The server calls `ensureKnowledgeSearch` once at start; routes call the use cases.
 */
export { type ArticleStatus, createArticle, getArticle, mayRead, publishArticle, searchArticles, updateArticle } from './articles.ts';
export { linkArticle, listCaseArticles, unlinkArticle } from './caseLinks.ts';
export { CaseArticle, KnowledgeArticle, knowledgeEntities } from './entities.ts';
export { type Ranked, type Snippet, type Span, rank } from './rank.ts';
export { ensureKnowledgeSearch } from './searchIndex.ts';
export { type ShippedArticleReport, loadShippedArticles } from './shipped.ts';
export { type QueryTerm, TERMS_VERSION, indexTerms, queryTerms } from './terms.ts';
