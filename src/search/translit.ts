/**
 * Russian typed in Latin letters ("zalog", "povestka", "detenshn") back to Cyrillic. There is no
 * single standard, so this follows the most common informal habits; the fuzzy search absorbs
 * the rest.
 */
const MULTI: [string, string][] = [
  ["shch", "щ"], ["sch", "щ"], ["zh", "ж"], ["kh", "х"], ["ch", "ч"], ["sh", "ш"], ["ts", "ц"], ["tz", "ц"],
  ["yu", "ю"], ["ju", "ю"], ["iu", "ю"], ["ya", "я"], ["ja", "я"], ["ia", "я"], ["yo", "е"], ["jo", "е"], ["ye", "е"], ["je", "е"],
  ["iya", "ия"], ["ci", "ци"], ["ce", "це"], ["cy", "цы"], ["iy", "ий"], ["yy", "ый"], ["ay", "ай"], ["oy", "ой"], ["ey", "ей"], ["uy", "уй"], ["ph", "ф"],
];
const SINGLE: Record<string, string> = {
  a: "а", b: "б", v: "в", g: "г", d: "д", e: "е", z: "з", i: "и", j: "й", k: "к", l: "л", m: "м", n: "н", o: "о",
  p: "п", r: "р", s: "с", t: "т", u: "у", f: "ф", h: "х", c: "к", y: "ы", w: "в", x: "кс", q: "к", "'": "ь",
};

export function latinToCyrillic(word: string): string {
  let out = "";
  let i = 0;
  outer: while (i < word.length) {
    for (const [latin, cyr] of MULTI) {
      if (word.startsWith(latin, i)) {
        out += cyr;
        i += latin.length;
        continue outer;
      }
    }
    const ch = word[i]!;
    out += SINGLE[ch] ?? ch;
    i++;
  }
  return out;
}
