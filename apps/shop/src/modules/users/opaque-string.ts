/**
 * The PRECIS OpaqueString profile for passwords (RFC 8265 §4.2) over the FreeformClass of
 * RFC 8264 (§4.3, derived property rules §9, in the order §8 gives), on the Unicode version of
 * the running Node (its ICU). Two strings that prepare to the same result are the same password;
 * anything else is a different one — no compatibility folding (NFKC), no case mapping.
 *
 * Contextual rules (CONTEXTJ, CONTEXTO: ZWJ/ZWNJ, middle dot, keraia, geresh, katakana middle
 * dot, Arabic-Indic digits) are not evaluated: those code points are accepted wherever they
 * appear. The rules exist to stop look-alike identifiers; a password is never displayed, and
 * accepting them changes no comparison (docs/adr/0012-session-and-credential-hardening.md).
 */

/** RFC 5892 §2.6 exceptions (RFC 8264 §9.6): valid whatever their category… */
const EXCEPTION_VALID = new Set([0x00df, 0x03c2, 0x06fd, 0x06fe, 0x0f0b, 0x3007]);
/** …CONTEXTO ones (accepted here, see above)… */
const EXCEPTION_CONTEXTUAL = new Set([
  0x00b7,
  0x0375,
  0x05f3,
  0x05f4,
  0x30fb,
  ...range(0x0660, 0x0669),
  ...range(0x06f0, 0x06f9),
]);
/** …and disallowed ones. */
const EXCEPTION_DISALLOWED = new Set([0x0640, 0x07fa, 0x302e, 0x302f, ...range(0x3031, 0x3035), 0x303b]);

const UNASSIGNED = /\p{Cn}/u;
/** PrecisIgnorableProperties (§9.13) and Controls (§9.12). */
const IGNORABLE_OR_CONTROL = /[\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}\p{Cc}]/u;
/** LetterDigits, OtherLetterDigits, Spaces, Symbols, Punctuation (§9.1, §9.2, §9.14–9.16). */
const FREEFORM_CATEGORIES = /[\p{L}\p{M}\p{N}\p{Zs}\p{S}\p{P}]/u;
/** Space_Separator other than U+0020: mapped to U+0020 (RFC 8265 §4.2.2, additional mapping). */
const NON_ASCII_SPACE = /(?!\u0020)\p{Zs}/gu;

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** OldHangulJamo (§9.11): conjoining jamo, Hangul_Syllable_Type L, V or T. */
const isOldHangulJamo = (cp: number) =>
  (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0xa960 && cp <= 0xa97f) || (cp >= 0xd7b0 && cp <= 0xd7ff);

/** True when one code point (as a string) belongs to the FreeformClass. */
function isFreeform(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  if (EXCEPTION_VALID.has(cp) || EXCEPTION_CONTEXTUAL.has(cp)) return true;
  if (EXCEPTION_DISALLOWED.has(cp) || UNASSIGNED.test(ch)) return false;
  if (cp >= 0x21 && cp <= 0x7e) return true; // ASCII7
  if (cp === 0x200c || cp === 0x200d) return true; // JoinControl (CONTEXTJ)
  if (isOldHangulJamo(cp) || IGNORABLE_OR_CONTROL.test(ch)) return false;
  if (ch.normalize('NFKC') !== ch) return true; // HasCompat: valid in the FreeformClass
  return FREEFORM_CATEGORIES.test(ch);
}

const onlyFreeform = (s: string) => [...s].every(isFreeform);

/**
 * Prepares and enforces a password per OpaqueString: refuses lone surrogates and code points the
 * FreeformClass disallows (controls, unassigned, default-ignorable, private use, …), maps every
 * non-ASCII space to U+0020, normalises to NFC, and refuses an empty result.
 * @returns the string to hash and compare, or `undefined` when it is not a valid password
 */
export function prepareOpaqueString(input: string): string | undefined {
  if (!input.isWellFormed() || !onlyFreeform(input)) return undefined;
  const prepared = input.replace(NON_ASCII_SPACE, ' ').normalize('NFC');
  return prepared.length > 0 && onlyFreeform(prepared) ? prepared : undefined;
}
