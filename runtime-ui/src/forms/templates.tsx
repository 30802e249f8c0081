/**
 * The three @rjsf templates Loopdesk replaces; everything else is @rjsf's plain HTML.
 *
 * - FieldTemplate: @rjsf's own, inside a container that names the field (`data-field="root_x"`,
 *   `data-pointer="/x"`), so a field's label, input, errors, help and reminders sit together.
 * - FieldHelpTemplate: the help text plus the field's reminders (R32), under @rjsf's help id,
 *   which every input already lists in `aria-describedby` — screen readers read reminders too.
 * - ErrorListTemplate: the summary above the form, one line per message with the field's title
 *   (validation errors and the server's alike), as an alert.
 */
import { getDefaultRegistry, RichHelp } from '@rjsf/core';
import type { ErrorListProps, FieldHelpProps, FieldTemplateProps, TemplatesType } from '@rjsf/utils';
import { helpId, TranslatableString } from '@rjsf/utils';
import { fieldAt, fieldsOf } from '../../../engine/forms/fields.ts';
import { joinPointer } from '../../../engine/forms/pointer.ts';
import type { FormLang, SchemaNode } from '../../../engine/forms/types.ts';
import { errorsOfSchema, type PointedText } from './pointer.ts';
import { ownText, translatorFor } from './strings.ts';

/** What the templates read from @rjsf's `formContext`. */
export interface LoopdeskFormContext {
  lang: FormLang;
  /** Reminders to show beside their field, by JSON pointer. */
  reminders: ReadonlyMap<string, readonly PointedText[]>;
}

const defaults = getDefaultRegistry().templates;

function contextOf(registry: { formContext?: unknown }): LoopdeskFormContext | undefined {
  const context = registry.formContext as Partial<LoopdeskFormContext> | undefined;
  return context?.reminders ? (context as LoopdeskFormContext) : undefined;
}

function pointerOfPath(path: readonly (string | number)[]): string {
  return joinPointer(path.map(String));
}

/** The title of the field at a pointer in `schema`, as a user reads it in the form. */
export function fieldTitle(schema: unknown, pointer: string, lang: FormLang): string {
  if (pointer === '') return ownText('wholeForm', lang);
  const title = fieldAt(fieldsOf(schema as SchemaNode), pointer)?.schema.title;
  return typeof title === 'string' && title !== '' ? title : pointer.slice(1);
}

/** `标题：消息` in Chinese, `Title: message` in English. */
function separator(lang: FormLang): string {
  return lang === 'en' ? ': ' : '：';
}

function FieldTemplate(props: FieldTemplateProps) {
  const Default = defaults.FieldTemplate;
  return (
    <div className="loopdesk-field" data-field={props.id} data-pointer={pointerOfPath(props.fieldPathId.path)}>
      <Default {...props} />
    </div>
  );
}

function FieldHelpTemplate(props: FieldHelpProps) {
  const { fieldPathId, help, uiSchema, registry } = props;
  const context = contextOf(registry);
  const notes = context?.reminders.get(pointerOfPath(fieldPathId.path)) ?? [];
  if (!help && notes.length === 0) return null;
  const lang = context?.lang ?? 'zh-CN';
  const label = ownText('reminder', lang);
  return (
    <div id={helpId(fieldPathId)} className="help-block">
      {help ? <RichHelp help={help as string} registry={registry} uiSchema={uiSchema} /> : null}
      {notes.map((note, i) => (
        <p key={i} className="loopdesk-reminder" role="note">
          <strong>
            {label}
            {separator(lang)}
          </strong>
          {note.message}
        </p>
      ))}
    </div>
  );
}

function ErrorListTemplate({ errorSchema, errors, registry }: ErrorListProps) {
  const lang = contextOf(registry)?.lang ?? 'zh-CN';
  const lines = errorSchema ? errorsOfSchema(errorSchema) : errors.map((e) => ({ path: '', message: e.stack }));
  if (lines.length === 0) return null;
  const root = registry.rootSchema;
  return (
    <div className="loopdesk-errors" role="alert">
      <h3>{translatorFor(lang)(TranslatableString.ErrorsLabel)}</h3>
      <ul>
        {lines.map((line, i) => (
          <li key={i} data-pointer={line.path}>
            {fieldTitle(root, line.path, lang)}
            {separator(lang)}
            {line.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

export const loopdeskTemplates: Partial<TemplatesType> = { FieldTemplate, FieldHelpTemplate, ErrorListTemplate };
