/**
 * Errors in the shape card processors answer them: `{ error: { type, code, message, … } }` with
 * the status a client branches on. One class, thrown by the ledger and the routes, rendered once
 * by the app's error handler.
 */
export type GatewayErrorType =
  'invalid_request_error' | 'card_error' | 'idempotency_error' | 'authentication_error' | 'api_error';

export class GatewayError extends Error {
  readonly status: number;
  readonly type: GatewayErrorType;
  readonly code: string;
  readonly extra: Record<string, string>;
  constructor(
    status: number,
    type: GatewayErrorType,
    code: string,
    message: string,
    extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
    this.status = status;
    this.type = type;
    this.code = code;
    this.extra = extra;
  }

  body(): { error: Record<string, string> } {
    return { error: { type: this.type, code: this.code, message: this.message, ...this.extra } };
  }
}
