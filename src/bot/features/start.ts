import { Composer } from "grammy";
import { date } from "../../content/render.js";
import type { BotContext } from "../context.js";
import { parseStartPayload } from "../deep-link.js";
import type { BotDeps } from "../deps.js";
import { setLanguage } from "../middleware/language.js";
import { show } from "../screen.js";
import { MAX_QUESTIONS } from "./guided/screens.js";
import { DETAINED_ABROAD, DETAINED_RUSSIA, DETAINED_US, FREE_HELP, URGENT_CARDS } from "../../search/answer.js";
import { menuKeyboard, renderContext, sectionOf, topicScreen, type View } from "../screens.js";
import type { Screen } from "../screen.js";
import { detainedAbroadScreen, detainedRussiaScreen, freeHelpScreen, urgentScreen } from "./urgent.js";

/** /start (with or without a deep link) and /help. */
export function startFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command("start", async (ctx) => {
    const payload = ctx.match.trim();
    // A card of the urgent lane posted by inline search opens the same screen in the bot.
    const request = payload === "" ? undefined : parseStartPayload(payload, (id) => deps.content.topic(id) !== undefined || URGENT_CARDS.has(id));
    if (request !== undefined) setLanguage(ctx, deps.i18n, request.lang);
    const source = payload === "" ? "direct" : request === undefined ? "invalid" : (request.source ?? "link");
    deps.stats.count("start", `${ctx.lang}:${source}`);

    const urgent = request?.topic === undefined ? undefined : urgentStart(ctx, deps, request.topic);
    if (urgent !== undefined) {
      await show(ctx, urgent, "new");
      return;
    }
    const topic = request?.topic === undefined ? undefined : deps.content.topic(request.topic);
    if (topic !== undefined) {
      deps.stats.count("topic", topic.id);
      await show(ctx, topicScreen(ctx, deps, topic, sectionOf(deps, topic.id)), "new");
      return;
    }
    const r = renderContext(ctx, deps);
    const html = ctx.t("start.greeting", { date: date(r, deps.content.recordedOn, "long"), disclaimer: ctx.t("common.disclaimer") });
    await show(ctx, { html, keyboard: menuKeyboard(ctx) }, "new");
  });

  feature.command("help", async (ctx) => {
    await show(ctx, { html: ctx.t("help.text", { username: ctx.me.username, max: MAX_QUESTIONS, disclaimer: ctx.t("common.disclaimer") }), keyboard: menuKeyboard(ctx) }, "new");
  });

  return feature;
}

function urgentStart(view: View, deps: BotDeps, id: string): Screen | undefined {
  const menu = { to: "menu" } as const;
  if (id === DETAINED_US) return urgentScreen(view, deps, menu);
  if (id === DETAINED_RUSSIA) return detainedRussiaScreen(view, deps, menu);
  if (id === DETAINED_ABROAD) return detainedAbroadScreen(view, deps, menu);
  if (id === FREE_HELP) return freeHelpScreen(view, deps, menu);
  return undefined;
}
