/** Text normalisation shared by indexing and querying. */

import type { Lang } from "../i18n.js";

const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

export function normalize(text: string): string {
  return text.normalize("NFKC").replace(INVISIBLE, "").toLowerCase().replace(/ё/g, "е");
}

/** Words of letters and digits; "i-589" and "b1/b2" stay whole enough to match. */
export function words(text: string): string[] {
  return normalize(text).match(/[\p{L}\p{N}]+(?:[-/][\p{L}\p{N}]+)*/gu) ?? [];
}

export const hasCyrillic = (text: string) => /[а-яё]/i.test(text);

/** Words that carry no meaning for the search (and that an intent may leave over). */
export const STOP_WORDS: Record<Lang, ReadonlySet<string>> = {
  ru: new Set(
    "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня еще о из ему теперь даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между мне меня мой моё мои это ли ещё очень пожалуйста подскажите скажите здравствуйте привет".split(" "),
  ),
  en: new Set(
    "a an the and or but if of to in on at by for with about from as is are was were be been being do does did have has had i me my we our you your he she it its they them their this that these those what which who whom how where why can could should would will shall may might must not so than too very just there here please tell hi hello get got".split(" "),
  ),
};
