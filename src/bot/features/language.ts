import { Composer } from "grammy";
import type { CallbackRouter } from "../callback-router.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { setLanguage } from "../middleware/language.js";
import { show } from "../screen.js";
import { languageScreen, menuScreen } from "../screens.js";

/** /language and the language button: switches between Russian and English, remembered per chat. */
export function languageFeature(deps: BotDeps, buttons: CallbackRouter): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command("language", (ctx) => show(ctx, languageScreen(ctx, deps), "new"));
  buttons
    .on("languagePicker", (ctx) => show(ctx, languageScreen(ctx, deps)))
    .on("language", async (ctx, { lang }) => {
      setLanguage(ctx, deps.i18n, lang);
      await ctx.answerCallbackQuery({ text: ctx.t("language.changed") });
      await show(ctx, menuScreen(ctx));
    });
  return feature;
}
