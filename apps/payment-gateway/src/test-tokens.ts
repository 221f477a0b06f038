/**
 * Test payment tokens in the style of the big card processors' test cards. A token names the
 * outcome: `tok_visa` and `tok_mastercard` are charged; the others are declined with the reason a
 * real processor gives. Any other token does not exist (400 `resource_missing`).
 */
export type TokenOutcome =
  | { kind: 'approved'; brand: 'visa' | 'mastercard' }
  | { kind: 'declined'; declineCode: DeclineCode; message: string };

export type DeclineCode = 'generic_decline' | 'insufficient_funds' | 'expired_card';

export const TEST_TOKENS: Readonly<Record<string, TokenOutcome>> = {
  tok_visa: { kind: 'approved', brand: 'visa' },
  tok_mastercard: { kind: 'approved', brand: 'mastercard' },
  tok_chargeDeclined: {
    kind: 'declined',
    declineCode: 'generic_decline',
    message: 'Your card was declined.',
  },
  tok_insufficientFunds: {
    kind: 'declined',
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  tok_expiredCard: { kind: 'declined', declineCode: 'expired_card', message: 'Your card has expired.' },
};

export function tokenOutcome(token: string): TokenOutcome | undefined {
  return Object.hasOwn(TEST_TOKENS, token) ? TEST_TOKENS[token] : undefined;
}
