/**
 * Reminders (R32): `rules: [{ when, remind, path }]` in the definition. `when` is a FEEL
 * expression over the form data (`urgency = "high"`); when it is true the reminder is shown beside
 * the field at `path`. Reminders never block completion and never throw: an expression that fails
 * at run time simply does not remind. The browser evaluates the same rules with feelin.
 */
import { evaluate } from 'feelin';
import { textIn } from './localize.ts';
import { isObject } from './pointer.ts';
import type { FormDefinition, FormLang, FormReminder } from './types.ts';

export function isTrue(expression: string, data: unknown): boolean {
  try {
    return evaluate(expression, isObject(data) ? data : {}).value === true;
  } catch {
    return false;
  }
}

export function reminders(form: Pick<FormDefinition, 'rules'>, data: unknown, lang: FormLang): FormReminder[] {
  const out: FormReminder[] = [];
  for (const rule of form.rules ?? []) {
    if (!isTrue(rule.when, data)) continue;
    const reminder: FormReminder = { path: rule.path ?? '', message: textIn(rule.remind, lang) };
    if (rule.id) reminder.rule = rule.id;
    out.push(reminder);
  }
  return out;
}
