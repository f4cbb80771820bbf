import { Composer } from "grammy";
import { readTyped } from "../../search/answer.js";
import { cb } from "../callback-data.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { button, type Screen, show } from "../screen.js";
import { menuKeyboard, menuScreen, showOutdated, type View } from "../screens.js";
import { abroadScreen } from "./abroad.js";
import { handoffScreen } from "./handoff.js";
import { forgetAskScreen } from "./privacy.js";
import { atBorderScreen, deadlineScreen } from "./typed-answers.js";
import { detainedAbroadScreen, detainedRussiaScreen, detainedWhereScreen, distressScreen, freeHelpScreen, urgentScreen } from "./urgent.js";

/** Typed text is read up to this length; beyond it, nothing changes what the bot answers. */
const READ_CHARS = 500;

function topicButtons(view: View, topics: readonly string[], limit: number) {
  return topics.slice(0, limit).map((id) => [button.cb(view.t(`topics.${id}.button`), cb.topic(id))]);
}

/**
 * Whatever no feature took, in a private chat. Typed text is answered the way a person would
 * (the decision is search/answer.ts's readTyped): deleting one's data gets the /forget button;
 * "are you a bot?" an honest answer and the lawyer; someone detained the urgent lane for where it
 * happened (the US, Russia, a third country), or the question where; someone at the US border the
 * border warning (at Russia's or a country's other than Mexico, leaving Russia); someone close the
 * relative's path; fear a kind word, the route and the lawyer;
 * the one-year deadline its rule; no money free legal help beside the firm; a country the card for
 * a third country; calling, a lawyer or the price the lawyer screen; small talk a short reply; a
 * question the topics. Nothing typed is stored or logged. Media and unknown commands get the
 * menu; unknown buttons are reported as outdated.
 */
export function unhandledFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  function reply(ctx: BotContext, text: string): Screen {
    const reading = readTyped(deps.search, deps.intents, text, ctx.lang);
    const t = ctx.t;
    switch (reading.kind) {
      case "intent":
        switch (reading.intent) {
          case "forget":
            return forgetAskScreen(ctx, t("free.forget"));
          case "bot":
            deps.stats.count("handoff");
            return handoffScreen(ctx, deps, { to: "menu" }, t("free.bot"));
          case "distress":
            return distressScreen(ctx, deps);
          case "atBorder":
            return atBorderScreen(ctx, deps);
          case "deadline":
            return deadlineScreen(ctx, deps);
          case "cannotPay":
            return freeHelpScreen(ctx, deps, { to: "menu" });
          case "relative":
            return {
              html: t("free.relative"),
              keyboard: [
                [button.cb(t("buttons.relative"), cb.guidedStart(true))],
                ...topicButtons(ctx, reading.topics, 2),
                [button.cb(t("buttons.urgent"), cb.detainedWhere())],
                [button.cb(t("buttons.lawyer"), cb.handoff())],
                [button.cb(t("buttons.home"), cb.menu)],
              ],
            };
          default:
            return { html: t(`free.${reading.intent}`), keyboard: menuKeyboard(ctx) };
        }
      case "detained":
        switch (reading.where) {
          case "us":
            return urgentScreen(ctx, deps, { to: "menu" }, reading.self === true);
          case "russia":
            return detainedRussiaScreen(ctx, deps, { to: "menu" });
          case "abroad":
            return detainedAbroadScreen(ctx, deps, { to: "menu" }, reading.place);
          case "ask":
            return detainedWhereScreen(ctx, { to: "menu" }, reading.self === true);
        }
      case "lawyer":
        deps.stats.count("handoff");
        return handoffScreen(ctx, deps, { to: "menu" }, t(`free.${reading.intent}`));
      case "place":
        return abroadScreen(ctx, deps, reading.place, reading.topics);
      case "topics":
        return { html: t("free.matches"), keyboard: [...topicButtons(ctx, reading.topics, 3), [button.cb(t("buttons.lawyer"), cb.handoff())], [button.cb(t("buttons.home"), cb.menu)]] };
      case "none":
        return { html: t("free.noMatch"), keyboard: menuKeyboard(ctx) };
    }
  }

  feature.on("message:text", async (ctx) => {
    const isCommand = ctx.msg.entities?.[0]?.type === "bot_command" && ctx.msg.entities[0].offset === 0;
    if (isCommand) return show(ctx, menuScreen(ctx, ctx.t("free.noMatch")), "new");
    return show(ctx, reply(ctx, ctx.msg.text.slice(0, READ_CHARS)), "new");
  });

  feature.on("message", (ctx) => show(ctx, menuScreen(ctx, ctx.t("free.media")), "new"));
  feature.on("callback_query", showOutdated);
  return feature;
}
