// What a thrown value says, whatever was thrown: one helper for every message built from a caught value.

/** An Error's message, or the value as text. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
