/**
 * Which process a new case starts and with which form: the process is configuration of this UI;
 * its start form is read from the published BPMN (`zeebe:formDefinition` on the start event), and
 * the form's newest published version is what the server validates the intake against.
 */
import { api, fetchBlob } from './api.ts';
import type { FormDefinition } from '../../engine/forms/types.ts';

/** The process "new case" starts (the shipped after-sales feedback process). */
export const INTAKE_PROCESS = 'aftersales-feedback';

const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL';

interface ProcessVersion {
  key: string;
  version: number;
  status: string;
}

interface FormSummary {
  key: string;
  version: number;
  status: string;
}

export interface StartForm {
  processKey: string;
  formKey: string;
  version: number;
  definition: FormDefinition;
}

function newestPublished<T extends { version: number; status: string }>(list: readonly T[]): T | undefined {
  return list.filter((v) => v.status === 'published').sort((a, b) => b.version - a.version)[0];
}

/** The start event's form key in a BPMN document, if it has one. */
export function startFormKey(xml: string): string | undefined {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  for (const start of Array.from(doc.getElementsByTagNameNS(BPMN, 'startEvent'))) {
    const form = start.getElementsByTagNameNS('*', 'formDefinition')[0];
    const key = form?.getAttribute('formId') ?? form?.getAttribute('formKey');
    if (key) return key;
  }
  return undefined;
}

export async function loadStartForm(processKey: string, signal?: AbortSignal): Promise<StartForm> {
  const versions = await api.get<ProcessVersion[]>(`/api/processes?key=${encodeURIComponent(processKey)}`, signal);
  const process = newestPublished(versions);
  if (!process) throw new Error(`process ${processKey} has no published version`);
  const xml = await (await fetchBlob(`/api/processes/${encodeURIComponent(processKey)}/versions/${process.version}/xml`, signal)).text();
  const formKey = startFormKey(xml);
  if (!formKey) throw new Error(`process ${processKey} has no start form`);
  const forms = await api.get<FormSummary[]>(`/api/forms?key=${encodeURIComponent(formKey)}`, signal);
  const form = newestPublished(forms);
  if (!form) throw new Error(`form ${formKey} has no published version`);
  const { definition } = await api.get<{ definition: FormDefinition }>(`/api/forms/${encodeURIComponent(formKey)}/versions/${form.version}`, signal);
  return { processKey, formKey, version: form.version, definition };
}
