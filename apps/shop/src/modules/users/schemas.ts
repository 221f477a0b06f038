import { Type } from 'typebox';
import { isValidPassword } from './password.ts';

export const UserSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String({ format: 'email' }),
    displayName: Type.String(),
    role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'User' },
);

export const RegisterBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    password: Type.Refine(
      Type.String({
        minLength: 12,
        maxLength: 128,
        description:
          'RFC 8265 OpaqueString: compared after NFC, with non-ASCII spaces as U+0020; control, ' +
          'unassigned, invisible and private-use characters and lone surrogates are refused',
      }),
      isValidPassword,
      () =>
        'must be a valid password (RFC 8265 OpaqueString): no control, unassigned, invisible or private-use characters, no lone surrogates',
    ),
    displayName: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
  },
  { additionalProperties: false },
);
