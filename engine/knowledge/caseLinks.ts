/**
 * The articles used on a case (R13): anyone who may read the case links an article to it and sees
 * its links; the one who linked it or a supervisor removes a link. Every change is audited on the
 * case (entity `instance`), so the case's trail shows which knowledge was used.
 */
import type { CaseArticle } from '../../schemas/knowledge.ts';
import { forbidden, notFound } from '../core/errors.ts';
import { audit } from '../store/audit.ts';
import { type EngineContext, type Principal, command, isSupervisor } from '../usecases/context.ts';
import { getInstance } from '../usecases/instances.ts';
import { loadArticle, mayRead } from './articles.ts';

function toLink(r: Record<string, unknown>): CaseArticle {
  return {
    instanceId: r.instance_id as string,
    articleId: r.article_id as string,
    linkedBy: r.linked_by as string,
    linkedAt: r.linked_at as number,
    note: (r.note as string | null) ?? null,
    title: r.title as string,
    status: r.status as CaseArticle['status'],
    rev: r.rev as number,
    productTags: JSON.parse(r.product_tags as string),
  };
}

const LINK_SELECT = `SELECT l.instance_id, l.article_id, l.linked_by, l.linked_at, l.note, a.title, a.status, a.rev, a.product_tags
  FROM case_articles l JOIN knowledge_articles a ON a.id = l.article_id`;

/** Throws 404 unless `who` may read the case (the same rule as GET /api/instances/:id). */
async function requireReadableCase(ctx: EngineContext, instanceId: string, who: Principal): Promise<void> {
  await getInstance(ctx, instanceId, who);
}

/** Links an article to a case; linking it again only updates the note. */
export async function linkArticle(
  ctx: EngineContext,
  instanceId: string,
  input: { articleId: string; note?: string | null },
  who: Principal,
  requestId?: string,
): Promise<{ created: boolean; link: CaseArticle }> {
  await requireReadableCase(ctx, instanceId, who);
  const note = input.note?.trim() || null;
  return command(ctx, async (tx, now) => {
    const article = await loadArticle(tx, input.articleId);
    if (!article || !mayRead(article, who)) throw notFound('knowledge article', input.articleId);
    const existing = await tx.get<Record<string, unknown>>(`${LINK_SELECT} WHERE l.instance_id = ? AND l.article_id = ?`, [instanceId, input.articleId]);
    if (existing) {
      const link = toLink(existing);
      if (input.note === undefined || link.note === note) return { created: false, link };
      await tx.run('UPDATE case_articles SET note = ? WHERE instance_id = ? AND article_id = ?', [note, instanceId, input.articleId]);
      await audit(tx, now, {
        actor: who.username,
        action: 'knowledge.article.link',
        entityType: 'instance',
        entityId: instanceId,
        before: { articleId: input.articleId, note: link.note },
        after: { articleId: input.articleId, note },
        requestId,
      });
      return { created: false, link: { ...link, note } };
    }
    await tx.run('INSERT INTO case_articles (instance_id, article_id, linked_by, linked_at, note) VALUES (?, ?, ?, ?, ?)', [
      instanceId,
      input.articleId,
      who.username,
      now,
      note,
    ]);
    await audit(tx, now, {
      actor: who.username,
      action: 'knowledge.article.link',
      entityType: 'instance',
      entityId: instanceId,
      after: { articleId: input.articleId, title: article.title, rev: article.rev, note },
      requestId,
    });
    return {
      created: true,
      link: {
        instanceId,
        articleId: article.id,
        linkedBy: who.username,
        linkedAt: now,
        note,
        title: article.title,
        status: article.status,
        rev: article.rev,
        productTags: article.productTags,
      },
    };
  });
}

export async function listCaseArticles(ctx: EngineContext, instanceId: string, who: Principal): Promise<CaseArticle[]> {
  await requireReadableCase(ctx, instanceId, who);
  const rows = await ctx.db.all<Record<string, unknown>>(`${LINK_SELECT} WHERE l.instance_id = ? ORDER BY l.linked_at, l.article_id`, [instanceId]);
  return rows.map(toLink);
}

export async function unlinkArticle(ctx: EngineContext, instanceId: string, articleId: string, who: Principal, requestId?: string): Promise<void> {
  await requireReadableCase(ctx, instanceId, who);
  await command(ctx, async (tx, now) => {
    const row = await tx.get<Record<string, unknown>>(`${LINK_SELECT} WHERE l.instance_id = ? AND l.article_id = ?`, [instanceId, articleId]);
    if (!row) throw notFound('link to knowledge article', articleId);
    const link = toLink(row);
    if (link.linkedBy !== who.username && !isSupervisor(who)) throw forbidden('only whoever linked the article or a supervisor may remove the link');
    await tx.run('DELETE FROM case_articles WHERE instance_id = ? AND article_id = ?', [instanceId, articleId]);
    await audit(tx, now, {
      actor: who.username,
      action: 'knowledge.article.unlink',
      entityType: 'instance',
      entityId: instanceId,
      before: { articleId, title: link.title, linkedBy: link.linkedBy, note: link.note },
      requestId,
    });
  });
}
