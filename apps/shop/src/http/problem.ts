/**
 * Errors with a stable `code`, mapped to RFC 9457 problem+json in exactly one place
 * (error-handler.ts). Codes are part of the API contract: never rename one.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    opts: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.headers = opts.headers ?? {};
  }
}

/** Guard instead of `instanceof`, so errors from another copy of this module still match. */
export const isAppError = (e: unknown): e is AppError =>
  e instanceof Error && e.name === 'AppError' && typeof (e as AppError).code === 'string';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance: string;
  errors?: Array<{ path: string; message: string }>;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(
  status: number,
  code: string,
  requestId: string,
  detail?: string,
  errors?: Problem['errors'],
): Problem {
  return {
    type: `https://surge.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    instance: requestId,
    ...(errors === undefined ? {} : { errors }),
  };
}

export const unauthorized = (detail = 'missing or invalid access token', cause?: unknown) =>
  new AppError(401, 'UNAUTHORIZED', detail, { cause, headers: { 'www-authenticate': 'Bearer' } });

export const dependencyUnavailable = (dependency: string, cause?: unknown) =>
  new AppError(503, 'DEPENDENCY_UNAVAILABLE', `${dependency} is unavailable; retry shortly`, {
    cause,
    headers: { 'retry-after': '1' },
  });
