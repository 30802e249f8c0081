/**
 * Test page for LoopdeskForm: `window.renderForm(props)` renders a form (fresh state each time) and
 * `window.submitForm()` validates it as a submit does and returns what @rjsf then shows — the
 * messages in its ErrorSchema by field pointer, and the list it passes to `onError`.
 */
import type Form from '@rjsf/core';
import { createRef } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { type FormData, LoopdeskForm, type LoopdeskFormProps } from '../../../runtime-ui/src/forms/LoopdeskForm.tsx';
import { errorsOfSchema, type PointedText } from '../../../runtime-ui/src/forms/pointer.ts';

export type RenderProps = Pick<
  LoopdeskFormProps,
  'schema' | 'uiSchema' | 'formData' | 'lang' | 'reminders' | 'serverErrors' | 'readOnly'
>;

export interface Submitted {
  /** Messages @rjsf shows beside fields after the submit, by JSON pointer. */
  errors: PointedText[];
  /** What `onError` received (empty when the form was valid). */
  reported: PointedText[];
  /** The data @rjsf holds and would submit. */
  formData: FormData;
}

declare global {
  interface Window {
    renderForm(props: RenderProps): { formData: FormData };
    submitForm(): Promise<Submitted>;
    submitted: FormData[];
  }
}

const root = createRoot(document.getElementById('app') as HTMLElement);
const formRef = createRef<Form>();
let generation = 0;
let onError: ((errors: PointedText[]) => void) | undefined;
window.submitted = [];

function state(): { formData: FormData; errorSchema: Parameters<typeof errorsOfSchema>[0] } {
  const form = formRef.current;
  if (!form) throw new Error('no form rendered');
  return { formData: (form.state.formData ?? {}) as FormData, errorSchema: form.state.errorSchema };
}

window.renderForm = (props) => {
  generation++;
  document.documentElement.lang = props.lang;
  flushSync(() =>
    root.render(
      <LoopdeskForm
        key={generation}
        {...props}
        formRef={formRef}
        onSubmit={(data) => window.submitted.push(data)}
        onError={(errors) => onError?.(errors)}
      />,
    ),
  );
  return { formData: state().formData };
};

window.submitForm = () =>
  new Promise<Submitted>((resolve) => {
    const done = (reported: PointedText[]) => {
      onError = undefined;
      const { formData, errorSchema } = state();
      resolve({ errors: errorsOfSchema(errorSchema), reported, formData });
    };
    onError = done;
    let valid = false;
    flushSync(() => {
      valid = formRef.current?.validateForm() ?? false;
    });
    if (valid) done([]);
  });

document.body.dataset.ready = 'true';
