import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { deepLink } from "../deep-link.js";
import { button } from "../screen.js";

/**
 * Groups, supergroups and channels. The bot talks about sensitive matters one to one only: a
 * command in a group gets a pointer to the private chat, everything else is left alone.
 */
export function groupsFeature(): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  const shared = feature.chatType(["group", "supergroup"]);
  shared.on("message:entities:bot_command", async (ctx) => {
    const link = deepLink(ctx.me.username, { lang: ctx.lang });
    await ctx.reply(ctx.t("group.privateOnly"), {
      reply_markup: { inline_keyboard: [[button.url(ctx.t("group.openPrivate"), link)]] },
      reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true },
    });
  });
  return feature;
}
