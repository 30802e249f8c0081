/**
 * Errors are part of the API: each carries a stable `code` callers can branch on, an HTTP status,
 * and where it applies a pointer (`elementId` for BPMN, JSON pointer `path` for data).
 */
export interface ErrorDetail {
  path?: string;
  elementId?: string | null;
  message: string;
  code?: string;
}

export class LoopdeskError extends Error {
  override readonly name = 'LoopdeskError';
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly errors?: ErrorDetail[],
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new LoopdeskError('LD_NOT_FOUND', 404, `${what} ${id} was not found`);
export const conflict = (code: string, message: string) => new LoopdeskError(code, 409, message);
export const forbidden = (message = 'you may not do this') => new LoopdeskError('LD_FORBIDDEN', 403, message);
export const unprocessable = (code: string, message: string, errors?: ErrorDetail[]) =>
  new LoopdeskError(code, 422, message, errors);

/** Thrown inside a command when the instance row changed under it; the command is retried. */
export class RevisionConflict extends Error {
  override readonly name = 'RevisionConflict';
}

/** A BPMN error thrown by an error end event or a service-task handler, caught by error boundary events. */
export class BpmnError extends Error {
  override readonly name = 'BpmnError';
  constructor(
    readonly errorCode: string,
    message = `BPMN error ${errorCode}`,
  ) {
    super(message);
  }
}
