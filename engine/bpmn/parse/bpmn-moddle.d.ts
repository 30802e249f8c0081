/**
 * bpmn-moddle 10 ships types for its element interfaces (`bpmn-moddle/types`) but none for its
 * entry point, so strict TypeScript cannot import `BpmnModdle`. This declares the part the
 * parser uses. Elements stay loosely typed here; `moddleElement.ts` narrows what the parser reads.
 */
declare module 'bpmn-moddle' {
  export interface ModdleElement {
    readonly $type: string;
    readonly $parent?: ModdleElement;
    $instanceOf(type: string): boolean;
    get(property: string): unknown;
    readonly [property: string]: unknown;
  }

  /** A non-fatal problem found while reading; moddle reads in lax mode and reports these. */
  export interface ModdleWarning {
    message: string;
    element?: ModdleElement;
    property?: string;
    value?: unknown;
    error?: Error;
  }

  export interface FromXmlResult {
    rootElement: ModdleElement;
    references: unknown[];
    warnings: ModdleWarning[];
    elementsById: Record<string, ModdleElement>;
  }

  /** Rejections carry the warnings collected before the fatal error. */
  export interface FromXmlError extends Error {
    warnings?: ModdleWarning[];
  }

  export class BpmnModdle {
    constructor(packages?: Record<string, object>, options?: Record<string, unknown>);
    fromXML(xml: string, typeName?: string, options?: Record<string, unknown>): Promise<FromXmlResult>;
    fromXML(xml: string, options?: Record<string, unknown>): Promise<FromXmlResult>;
    toXML(element: ModdleElement, options?: Record<string, unknown>): Promise<{ xml: string }>;
    create(type: string, attrs?: Record<string, unknown>): ModdleElement;
  }
}
