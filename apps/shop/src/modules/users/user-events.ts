import { Type } from 'typebox';
import { defineEvent } from '@surge/messaging';

/** `surge.users.v1`, key userId (packages/messaging/README.md). */
export const USERS_TOPIC = 'surge.users.v1';

export const UserRegistered = defineEvent({
  type: 'surge.user.registered.v1',
  topic: USERS_TOPIC,
  schema: Type.Object(
    {
      userId: Type.String({ format: 'uuid' }),
      email: Type.String({ format: 'email' }),
      displayName: Type.String({ minLength: 1, maxLength: 100 }),
      registeredAt: Type.String({ format: 'date-time' }),
    },
    { additionalProperties: false },
  ),
});
