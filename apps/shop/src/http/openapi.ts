import { Type } from 'typebox';

/** RFC 9457 problem details as every error response carries them (see problem.ts). */
export const ProblemRef = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable error code, e.g. SOLD_OUT' }),
    detail: Type.Optional(Type.String()),
    instance: Type.String({ description: 'The request id (also in the x-request-id header)' }),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { description: 'application/problem+json' },
);
