import { Composer } from "grammy";
import { cb } from "../callback-data.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { button, show } from "../screen.js";
import { menuKeyboard, menuScreen, showOutdated } from "../screens.js";
import { handoffScreen } from "./handoff.js";

/** Typed text is read up to this length; beyond it, nothing changes what the bot answers. */
const READ_CHARS = 500;

/**
 * Whatever no feature took, in a private chat. Typed text is answered the way a person would:
 * wanting to call, a price or a lawyer leads to the lawyer screen (unless the text also asks
 * about a topic, which is then offered with the lawyer beside it); a greeting, thanks or a plea
 * for help get a short, warm reply with the way forward; anything else is matched against the
 * topics. Nothing typed is stored or logged. Media and unknown commands get the menu; unknown
 * buttons are reported as outdated.
 */
export function unhandledFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.on("message:text", async (ctx) => {
    const isCommand = ctx.msg.entities?.[0]?.type === "bot_command" && ctx.msg.entities[0].offset === 0;
    if (isCommand) return show(ctx, menuScreen(ctx, ctx.t("free.noMatch")), "new");
    const text = ctx.msg.text.slice(0, READ_CHARS);
    const said = deps.intents.recognise(text);
    const topics = said === undefined || said.more ? deps.search.search(text, ctx.lang, 3).topics : [];
    // "Can I call you?", "how much is a consultation?": the lawyer. "A lawyer promised me a visa": the topics, with the lawyer beside them.
    if ((said?.intent === "call" || said?.intent === "lawyer" || said?.intent === "price") && topics.length === 0) {
      deps.stats.count("handoff");
      return show(ctx, handoffScreen(ctx, deps, { to: "menu" }, ctx.t(`free.${said.intent}`)), "new");
    }
    if (topics.length > 0) {
      const found = topics.map((id) => [button.cb(ctx.t(`topics.${id}.button`), cb.topic(id))]);
      return show(ctx, { html: ctx.t("free.matches"), keyboard: [...found, [button.cb(ctx.t("buttons.lawyer"), cb.handoff())], [button.cb(ctx.t("buttons.home"), cb.menu)]] }, "new");
    }
    const reply = said === undefined ? "free.noMatch" : `free.${said.intent}`;
    return show(ctx, { html: ctx.t(reply), keyboard: menuKeyboard(ctx) }, "new");
  });

  feature.on("message", (ctx) => show(ctx, menuScreen(ctx, ctx.t("free.media")), "new"));
  feature.on("callback_query", showOutdated);
  return feature;
}
