import type { Api } from "grammy";
import type { LanguageCode } from "grammy/types";
import type { I18n, Lang } from "../i18n.js";

const COMMANDS = ["start", "topics", "route", "updates", "lawyer", "share", "guide", "privacy", "forget", "language", "help"] as const;

/** Telegram shows each user the list for their app's language; these get the Russian one. */
const RUSSIAN_APP_LANGUAGES: LanguageCode[] = ["ru", "uk", "be", "kk"];

/** Registers the command menu: English by default, Russian for Russian-reading apps. Private chats only. */
export async function registerCommands(api: Api, i18n: I18n): Promise<void> {
  const list = (lang: Lang) => COMMANDS.map((command) => ({ command, description: i18n.t(lang)(`commands.${command}`) }));
  const scope = { type: "all_private_chats" as const };
  await api.setMyCommands(list("en"), { scope });
  for (const language_code of RUSSIAN_APP_LANGUAGES) await api.setMyCommands(list("ru"), { scope, language_code });
}
