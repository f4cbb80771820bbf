import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { setLanguage } from "../middleware/language.js";
import { show } from "../screen.js";
import { languageScreen, menuScreen } from "../screens.js";

/** /language and the language button: switches between Russian and English, remembered per chat. */
export function languageFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command("language", (ctx) => show(ctx, languageScreen(ctx, deps), "new"));
  feature.callbackQuery("lang", (ctx) => show(ctx, languageScreen(ctx, deps)));
  feature.callbackQuery(/^lang:(ru|en)$/, async (ctx) => {
    setLanguage(ctx, deps.i18n, ctx.match[1] as "ru" | "en");
    await ctx.answerCallbackQuery({ text: ctx.t("language.changed") });
    await show(ctx, menuScreen(ctx));
  });
  return feature;
}
