import { createConversation } from "@grammyjs/conversations";
import { Composer, type Context } from "grammy";
import type { BotContext } from "../../context.js";
import type { BotDeps } from "../../deps.js";
import { firstTap } from "../../once.js";
import { show } from "../../screen.js";
import { showOutdated } from "../../screens.js";
import { createGuidedConversation, GUIDED } from "./conversation.js";
import { parseRoute, routeScreen, routeSummary } from "./route.js";

/** "My situation": the guided conversation, its route screens and the summary for a lawyer. */
export function guidedFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.use(createConversation<BotContext, Context>(createGuidedConversation(deps), { id: GUIDED }));

  async function begin(ctx: BotContext) {
    // Starting again replaces an unfinished conversation rather than failing.
    await ctx.conversation.exit(GUIDED);
    await ctx.conversation.enter(GUIDED, ctx.lang);
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
