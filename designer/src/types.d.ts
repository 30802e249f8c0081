// Types for the bpmn-io packages the designer uses that ship none (only what the designer calls).

declare module 'bpmn-js-properties-panel' {
  type ModuleDeclaration = Record<string, unknown>;
  export const BpmnPropertiesPanelModule: ModuleDeclaration;
  export const BpmnPropertiesProviderModule: ModuleDeclaration;
  export const ZeebePropertiesProviderModule: ModuleDeclaration;
}

declare module 'bpmn-js-bpmnlint' {
  const lintModule: Record<string, unknown>;
  export default lintModule;
}

declare module 'camunda-bpmn-js-behaviors/lib/camunda-cloud' {
  const behaviors: Record<string, unknown>;
  export default behaviors;
}

declare module 'bpmnlint/rules/*' {
  const rule: (config?: unknown) => { check: unknown };
  export default rule;
}

declare module '@bpmn-io/properties-panel' {
  type Entry = (props: Record<string, unknown>) => unknown;
  export const SelectEntry: Entry;
  export const TextFieldEntry: Entry;
  export function isSelectEntryEdited(node: unknown): boolean;
  export function isTextFieldEntryEdited(node: unknown): boolean;
}

declare module '@bpmn-io/properties-panel/preact' {
  export function h(type: unknown, props?: Record<string, unknown> | null, ...children: unknown[]): unknown;
}

declare module '@bpmn-io/feel-lint' {
  export interface LintMessage {
    from: number;
    to: number;
    severity: 'error' | 'warning';
    type: string;
    message: string;
  }
  export function lintExpression(expression: string, options?: { dialect?: 'expression' | 'unaryTests'; variables?: { name: string }[] }): LintMessage[];
}
