import type { Api } from "grammy";
import type { LanguageCode } from "grammy/types";
import type { I18n, Lang } from "../i18n.js";

export const PROFILE_COMMANDS = ["start", "route", "topics", "updates", "lawyer", "share", "guide", "privacy", "forget", "language", "help"] as const;

/** Telegram shows each user the texts for their app's language; these get the Russian ones. */
const RUSSIAN_APP_LANGUAGES: LanguageCode[] = ["ru", "uk", "be", "kk"];

/**
 * What a person sees of the bot before pressing Start (the description in the empty chat, the
 * short description on its profile and beside a shared link) and its command menu, in English by
 * default and in Russian for Russian-reading apps. Commands are for private chats only.
 */
export async function registerProfile(api: Api, i18n: I18n, signal?: AbortSignal): Promise<void> {
  const scope = { type: "all_private_chats" as const };
  // grammY types its signal as the abort-controller shim's; the platform's is what it uses on Node.
  const abort = signal as Parameters<Api["setMyCommands"]>[2];
  const set = async (lang: Lang, language_code?: LanguageCode) => {
    const t = i18n.t(lang);
    const where = language_code === undefined ? {} : { language_code };
    await api.setMyCommands(PROFILE_COMMANDS.map((command) => ({ command, description: t(`commands.${command}`) })), { scope, ...where }, abort);
    await api.setMyDescription(t("profile.description"), where, abort);
    await api.setMyShortDescription(t("profile.shortDescription"), where, abort);
  };
  await set("en");
  for (const code of RUSSIAN_APP_LANGUAGES) await set("ru", code);
}
