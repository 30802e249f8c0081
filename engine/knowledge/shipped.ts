/**
 * Loads the shipped starter articles (`definitions/knowledge/*.json`, one article per file, each
 * with a stable `key`) through the same use cases a supervisor's API calls use. Idempotent: an
 * article whose file did not change since it was last loaded is left alone, and one that a person
 * has edited since keeps their edit (reported as `kept`) rather than being overwritten by the file.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { type ShippedArticle, shippedArticleSchema } from '../../schemas/knowledge.ts';
import { LoopdeskError } from '../core/errors.ts';
import { type EngineContext, SYSTEM } from '../usecases/context.ts';
import { createArticle, findArticleByKey, publishArticle, updateArticle } from './articles.ts';

export interface ShippedArticleReport {
  file: string;
  key: string;
  id: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'kept';
}

let validate: ReturnType<Ajv['compile']> | undefined;

function parse(file: string, text: string): ShippedArticle {
  validate ??= new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(shippedArticleSchema);
  const data = JSON.parse(text) as unknown;
  if (!validate(data)) {
    const details = (validate.errors ?? []).map((e) => `  ${e.instancePath || '/'}: ${e.message}`).join('\n');
    throw new LoopdeskError('LD_KNOWLEDGE_INVALID', 422, `${file}: not a knowledge article\n${details}`);
  }
  return data as ShippedArticle;
}

export async function loadShippedArticles(ctx: EngineContext, dir: string): Promise<ShippedArticleReport[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const report: ShippedArticleReport[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const { $schema: _s, $comment: _c, status, key, ...input } = parse(path, await readFile(path, 'utf8'));
    const checksum = createHash('sha256').update(JSON.stringify({ key, status, ...input })).digest('hex');
    const existing = await findArticleByKey(ctx.db, key);
    let outcome: ShippedArticleReport['outcome'];
    let id: string;
    try {
      if (!existing) {
        id = (await createArticle(ctx, { key, ...input }, SYSTEM, { status, shippedChecksum: checksum })).id;
        outcome = 'created';
      } else if (existing.shippedChecksum === checksum) {
        id = existing.id;
        outcome = 'unchanged';
      } else if (existing.updatedBy !== SYSTEM.username) {
        id = existing.id;
        outcome = 'kept';
      } else {
        const { article } = await updateArticle(ctx, existing.id, { ...input, rev: existing.rev }, SYSTEM, { shippedChecksum: checksum });
        if (status === 'published' && article.status === 'draft') await publishArticle(ctx, article.id, SYSTEM);
        id = existing.id;
        outcome = 'updated';
      }
    } catch (err) {
      throw new Error(`${path}: ${(err as Error).message}`);
    }
    report.push({ file, key, id, outcome });
  }
  return report;
}
