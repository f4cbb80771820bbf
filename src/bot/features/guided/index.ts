import { createConversation } from "@grammyjs/conversations";
import { Composer, type Context } from "grammy";
import type { BotContext } from "../../context.js";
import type { BotDeps } from "../../deps.js";
import { isRepeatPress } from "../../middleware/press-memory.js";
import { firstTap } from "../../once.js";
import { isShown, screenId, show } from "../../screen.js";
import { showOutdated } from "../../screens.js";
import { createGuidedConversation, GUIDED, questionScreen } from "./conversation.js";
import { askedQuestions, QUESTIONS } from "./questions.js";
import { parseRoute, routeScreen, routeSummary } from "./route.js";

/** "My situation": the guided conversation, its route screens and the summary for a lawyer. */
export function guidedFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.use(createConversation<BotContext, Context>(createGuidedConversation(deps), { id: GUIDED }));

  async function begin(ctx: BotContext) {
    // The second press of a fast double tap: the first already started the conversation on this message.
    if (isRepeatPress(ctx)) return;
    // Starting again replaces an unfinished conversation rather than failing.
    await ctx.conversation.exit(GUIDED);
    await ctx.conversation.enter(GUIDED, ctx.lang, ...showing(ctx));
  }
  feature.command("route", begin);
  feature.callbackQuery("g", begin);
  // Buttons of a conversation that has ended, or from before a restart with a new version.
  feature.callbackQuery(/^g:/, showOutdated);

  feature.callbackQuery(/^r\.([A-Za-z]+)$/, async (ctx) => {
    const route = ctx.match[1]!;
    if (parseRoute(route) === undefined) return showOutdated(ctx);
    await show(ctx, routeScreen(ctx, deps, route));
  });

  feature.callbackQuery(/^rs\.([A-Za-z]+)$/, async (ctx) => {
    const route = ctx.match[1]!;
    if (parseRoute(route) === undefined) return showOutdated(ctx);
    await ctx.answerCallbackQuery({ text: ctx.t("route.summary.note") });
    if (!firstTap(ctx, `rs.${route}`, deps.now())) return;
    await ctx.reply(routeSummary(ctx, deps, route), { link_preview_options: { is_disabled: true } });
  });
  return feature;
}

/**
 * What the pressed message shows, for the conversation's first screen: from the chat's previous
 * press when it was on this message, otherwise from the message as the press saw it.
 */
function showing(ctx: BotContext): [] | [[number, string]] {
  const message = ctx.callbackQuery?.message;
  if (message === undefined) return [];
  const known = ctx.lastPress?.messageId === message.message_id ? ctx.lastPress.screen : undefined;
  if (known !== undefined) return [[message.message_id, screenId(known)]];
  const first = questionScreen(ctx, QUESTIONS[0]!, 0, askedQuestions({}).length);
  const text = "text" in message && typeof message.text === "string" ? message.text : "";
  return isShown(first, text, message.reply_markup?.inline_keyboard) ? [[message.message_id, screenId(first)]] : [];
}
