/** Text normalisation shared by indexing and querying. */

const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

export function normalize(text: string): string {
  return text.normalize("NFKC").replace(INVISIBLE, "").toLowerCase().replace(/ё/g, "е");
}

/** Words of letters and digits; "i-589" and "b1/b2" stay whole enough to match. */
export function words(text: string): string[] {
  return normalize(text).match(/[\p{L}\p{N}]+(?:[-/][\p{L}\p{N}]+)*/gu) ?? [];
}

export const hasCyrillic = (text: string) => /[а-яё]/i.test(text);
