import { Composer, type MiddlewareFn } from "grammy";
import { cb } from "../callback-data.js";
import type { CallbackRouter } from "../callback-router.js";
import { type BotContext, forgetThisUpdate } from "../context.js";
import type { BotDeps } from "../deps.js";
import { DELETABLE_FOR_SECONDS } from "../middleware/recent-messages.js";
import { button, type Screen, show } from "../screen.js";
import { navRow, type View } from "../screens.js";

/**
 * /privacy explains what is kept; /forget deletes it. After one confirmation the bot deletes
 * everything stored under this chat's key and every message in the chat it still may (Telegram
 * allows 48 hours), then explains how to clear older history and set auto-delete.
 */
export function privacyFeature(deps: BotDeps, buttons: CallbackRouter): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  function privacyScreen(view: View, lead?: string): Screen {
    const text = view.t("privacy.text", { days: view.t("privacy.days", { count: deps.settings.sessionTtlDays }) });
    return {
      html: lead === undefined ? text : `${lead}\n\n${text}`,
      keyboard: [[button.cb(view.t("buttons.forget"), cb.forgetAsk)], [button.cb(view.t("buttons.safety"), cb.topic("safety", { to: "menu" }))], navRow(view, cb.menu)],
    };
  }

  feature.command("privacy", (ctx) => show(ctx, privacyScreen(ctx), "new"));
  feature.command("forget", (ctx) => show(ctx, forgetAskScreen(ctx), "new"));
  buttons
    .on("privacy", (ctx) => show(ctx, privacyScreen(ctx)))
    .on("forgetAsk", (ctx) => show(ctx, forgetAskScreen(ctx)))
    .on("forgetNo", (ctx) => show(ctx, privacyScreen(ctx, ctx.t("privacy.forgetKept"))))
    .on("forgetYes", async (ctx) => {
      await ctx.answerCallbackQuery();
      const now = Math.floor(deps.now() / 1000);
      const ids = new Set((ctx.session.recent ?? []).filter(([, at]) => now - at < DELETABLE_FOR_SECONDS).map(([id]) => id));
      const pressed = ctx.callbackQuery?.message?.message_id;
      if (pressed !== undefined) ids.add(pressed);
      const sorted = [...ids].sort((a, b) => a - b);
      // Everything kept goes, in the same commit as this update; presses queued on the deleted messages are then dropped.
      ctx.records?.forget(sorted.at(-1));
      forgetThisUpdate(ctx);
      await deleteMessages(ctx, sorted);
      // Nothing is kept now; the button starts again from the menu, as /start would.
      await ctx.reply(ctx.t("privacy.forgetDone"), { parse_mode: "HTML", reply_markup: { inline_keyboard: [[button.cb(ctx.t("privacy.restart"), cb.menu)]] } });
    });

  return feature;
}

/** "Delete everything?" with the one confirmation: from /forget, the privacy screen, or typed "delete my data". */
export function forgetAskScreen(view: View, lead?: string): Screen {
  const text = view.t("privacy.forgetAsk");
  return {
    html: lead === undefined ? text : `${lead}\n\n${text}`,
    keyboard: [[button.cb(view.t("buttons.forgetConfirm"), cb.forgetYes)], [button.cb(view.t("buttons.forgetCancel"), cb.forgetNo)]],
  };
}

/**
 * A press made before /forget deleted its message, handled after (presses queue up faster than
 * the bot answers): it has nothing left to act on, and it must not bring a record back.
 */
export function dropForgottenPresses(now: () => number): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    const message = ctx.callbackQuery?.message;
    const mark = ctx.records?.forgetMark();
    if (message !== undefined && mark !== undefined && mark.until > now() && message.message_id <= mark.upTo) {
      forgetThisUpdate(ctx);
      return;
    }
    return next();
  };
}

/** Deletes in batches of 100 (Telegram's limit); a message already gone does not stop the rest. */
async function deleteMessages(ctx: BotContext, ids: number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    try {
      await ctx.api.deleteMessages(ctx.chat!.id, ids.slice(i, i + 100));
    } catch {
      // Nothing in this batch could be deleted any more (gone already, or older than 48 hours).
    }
  }
}
