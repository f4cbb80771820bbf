import { Composer } from "grammy";
import { cb } from "../callback-data.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { button, show } from "../screen.js";
import { menuKeyboard, menuScreen, showOutdated } from "../screens.js";

/**
 * Whatever no feature took, in a private chat. Typed text is matched against the topics (and
 * forgotten: it is never stored or logged); media and unknown commands get the menu; unknown
 * buttons are reported as outdated. Nothing gets silence except edits and service updates.
 */
export function unhandledFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.on("message:text", async (ctx) => {
    const isCommand = ctx.msg.entities?.[0]?.type === "bot_command" && ctx.msg.entities[0].offset === 0;
    const found = isCommand ? [] : deps.search.search(ctx.msg.text.slice(0, 500), ctx.lang, 3).topics;
    if (found.length === 0) {
      await show(ctx, { html: ctx.t("unknown.textNoMatch"), keyboard: menuKeyboard(ctx) }, "new");
      return;
    }
    const topics = found.map((id) => [button.cb(ctx.t(`topics.${id}.button`), cb.topic(id))]);
    await show(ctx, { html: ctx.t("unknown.text"), keyboard: [...topics, [button.cb(ctx.t("buttons.home"), cb.menu)]] }, "new");
  });

  feature.on("message", (ctx) => show(ctx, menuScreen(ctx, ctx.t("unknown.media")), "new"));
  feature.on("callback_query", showOutdated);
  return feature;
}
