/**
 * A Loopdesk form on screen: @rjsf/core's `Form` with the server's validation (validator.ts), the
 * server's 422 errors beside their fields, reminders (R32) beside theirs, and @rjsf's own texts
 * in the viewer's language.
 *
 * `schema`/`uiSchema` are expected as `schemaFor(form, viewer, lang)` returns them (the server
 * decides what this viewer may read and write); a raw definition schema is localised here too,
 * which is a no-op on an already projected one. Validation runs on submit, with the full schema.
 */
import Form from '@rjsf/core';
import { createSchemaUtils, type RJSFSchema, type RJSFValidationError, type UiSchema } from '@rjsf/utils';
import { type Ref, useMemo, useState } from 'react';
import { localizeSchema, localizeUiSchema } from '../../../engine/forms/localize.ts';
import { isObject } from '../../../engine/forms/pointer.ts';
import type { FormLang, SchemaNode } from '../../../engine/forms/types.ts';
import { isFieldShown, placeTexts } from './placement.ts';
import { errorSchemaOf, type PointedText, pointerOfProperty } from './pointer.ts';
import { ownText, translatorFor } from './strings.ts';
import { fieldTitle, type LoopdeskFormContext, loopdeskTemplates } from './templates.tsx';
import { validatorFor } from './validator.ts';

export type FormData = Record<string, unknown>;

export interface LoopdeskFormProps {
  schema: SchemaNode;
  uiSchema?: Record<string, unknown>;
  formData?: FormData;
  lang: FormLang;
  /** Reminders (R32) for the current data; never block submitting. */
  reminders?: readonly PointedText[];
  /** The `errors` of the server's 422 answer, shown beside the field at each `path`. */
  serverErrors?: readonly PointedText[];
  readOnly?: boolean;
  onSubmit: (data: FormData) => void;
  onChange?: (data: FormData) => void;
  /** Called when a submit finds errors, with each one's JSON pointer. */
  onError?: (errors: PointedText[]) => void;
  /** The @rjsf Form instance (`validateForm()`, `submit()`), for hosts and tests. */
  formRef?: Ref<Form>;
}

const STYLE = `
.loopdesk-form { font: 15px/1.5 system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 44rem; }
.loopdesk-form .loopdesk-field > .form-group { margin: 0 0 .9rem; }
.loopdesk-form label, .loopdesk-form legend { font-weight: 600; display: block; margin-bottom: .2rem; }
.loopdesk-form .checkbox label, .loopdesk-form .radio label, .loopdesk-form .radio-inline { font-weight: normal; display: inline-flex; gap: .3rem; margin-right: 1rem; }
.loopdesk-form input:not([type=checkbox]):not([type=radio]), .loopdesk-form select, .loopdesk-form textarea { width: 100%; box-sizing: border-box; padding: .35rem .5rem; font: inherit; border: 1px solid #8a8f98; border-radius: 4px; }
.loopdesk-form select { background: #fff; }
.loopdesk-form input[readonly], .loopdesk-form textarea[readonly], .loopdesk-form select[disabled] { background: #f1f2f4; color: #333; border-style: dashed; }
.loopdesk-form .required { color: #b00020; margin-left: .2rem; }
.loopdesk-form .has-error input, .loopdesk-form .has-error select, .loopdesk-form .has-error textarea { border-color: #b00020; }
.loopdesk-form .error-detail { list-style: none; margin: .2rem 0 0; padding: 0; color: #b00020; }
.loopdesk-form .help-block { color: #444; font-size: .9em; margin-top: .2rem; }
.loopdesk-form .loopdesk-reminder { margin: .3rem 0 0; padding: .3rem .5rem; background: #fff4d6; border-left: 4px solid #d98e04; color: #4a3300; }
.loopdesk-form .loopdesk-errors, .loopdesk-form .loopdesk-reminders { margin-bottom: 1rem; padding: .5rem .8rem; border-radius: 4px; }
.loopdesk-form .loopdesk-errors { border: 1px solid #b00020; color: #7a0016; background: #fdecef; }
.loopdesk-form .loopdesk-reminders { border: 1px solid #d98e04; background: #fff4d6; color: #4a3300; }
.loopdesk-form h3 { font-size: 1em; margin: 0 0 .3rem; }
.loopdesk-form fieldset { border: 0; padding: 0; margin: 0; }
.loopdesk-form button[type=submit] { font: inherit; padding: .4rem 1.4rem; }
`;

const NONE: readonly PointedText[] = [];
const DEFAULTS_BEHAVIOUR = { constAsDefaults: 'skipOneOf', requiredBooleanDefault: 'skip' } as const;

function toPointed(errors: RJSFValidationError[]): PointedText[] {
  return errors.map((e) => ({
    path: typeof e.params?.path === 'string' ? e.params.path : pointerOfProperty(e.property),
    message: e.message ?? e.stack,
  }));
}

export function LoopdeskForm(props: LoopdeskFormProps) {
  const { formData, lang, reminders = NONE, serverErrors = NONE, readOnly = false, onSubmit, onChange, onError, formRef } = props;
  const validator = validatorFor(lang);
  const schema = useMemo(() => localizeSchema(props.schema, lang) as RJSFSchema, [props.schema, lang]);
  const uiSchema = useMemo(() => {
    const localized = localizeUiSchema(props.uiSchema ?? {}, lang);
    const ui = (isObject(localized) ? localized : {}) as UiSchema;
    const submit = isObject(ui['ui:submitButtonOptions']) ? ui['ui:submitButtonOptions'] : {};
    const submitButton = { submitText: ownText('submit', lang), ...submit, ...(readOnly ? { norender: true } : {}) };
    return { ...ui, 'ui:submitButtonOptions': submitButton } as UiSchema;
  }, [props.uiSchema, lang, readOnly]);

  // Which fields are on screen depends on the data being edited (show/hide), not only the initial data.
  const [current, setCurrent] = useState<{ from?: FormData; data?: FormData }>({ from: formData, data: formData });
  const data = current.from === formData ? current.data : formData;
  const schemaUtils = useMemo(() => createSchemaUtils(validator, schema), [validator, schema]);
  const placed = useMemo(
    () => placeTexts(reminders, (pointer) => isFieldShown(schemaUtils, schema, uiSchema, data ?? {}, pointer)),
    [reminders, schemaUtils, schema, uiSchema, data],
  );
  const formContext = useMemo<LoopdeskFormContext>(() => ({ lang, reminders: placed.beside }), [lang, placed]);
  const extraErrors = useMemo(() => (serverErrors.length > 0 ? errorSchemaOf(serverErrors) : undefined), [serverErrors]);

  return (
    <div className="loopdesk-form" lang={lang}>
      <style>{STYLE}</style>
      {placed.above.length > 0 ? (
        <section className="loopdesk-reminders" aria-label={ownText('reminders', lang)}>
          <h3>{ownText('reminders', lang)}</h3>
          <ul>
            {placed.above.map((note, i) => (
              <li key={i} role="note" data-pointer={note.path}>
                {fieldTitle(schema, note.path, lang)}
                {lang === 'en' ? ': ' : '：'}
                {note.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <Form
        ref={formRef}
        schema={schema}
        uiSchema={uiSchema}
        // The data being edited, not the initial prop: when anything else changes (reminders for the
        // new data, server errors), @rjsf re-derives its state from `formData` and would otherwise
        // drop the user's edits while keeping the fields they revealed (a radio shown unchecked).
        formData={data}
        validator={validator}
        templates={loopdeskTemplates}
        formContext={formContext}
        translateString={translatorFor(lang)}
        extraErrors={extraErrors}
        readonly={readOnly}
        // @rjsf would answer for the user on render: the first option of an enum list (channel
        // "phone", urgency "high") and `false` for a required boolean ("is there a safety risk?"),
        // which silences `required` and the required-if rule. Unanswered stays unanswered.
        experimental_defaultFormStateBehavior={DEFAULTS_BEHAVIOUR}
        noHtml5Validate
        focusOnFirstError
        showErrorList="top"
        onChange={(event) => {
          const next = (event.formData ?? {}) as FormData;
          setCurrent({ from: formData, data: next });
          onChange?.(next);
        }}
        onSubmit={(event) => onSubmit((event.formData ?? {}) as FormData)}
        onError={(errors) => onError?.(toPointed(errors))}
      />
    </div>
  );
}
