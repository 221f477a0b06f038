import { Type, type TSchema } from 'typebox';
import { invalidCursor } from '../errors.ts';

/** `?cursor=&limit=` (docs/api.md): limit 1..100, default 20; the cursor is opaque to clients. */
export const PageQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const encodeCursor = (position: string) => Buffer.from(position).toString('base64url');

/** Decodes a cursor and checks its position with `valid`; anything else is 400 `INVALID_CURSOR`. */
export function decodeCursor(cursor: string | undefined, valid: RegExp): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const position = Buffer.from(cursor, 'base64url').toString();
  if (!valid.test(position)) throw invalidCursor();
  return position;
}

/** Splits a `limit + 1` fetch into a page and the next cursor. */
export function page<R, I>(rows: R[], limit: number, toItem: (r: R) => I, position: (r: R) => string) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(position(last)) : null,
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
