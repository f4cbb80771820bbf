import { Composer } from "grammy";
import { cb } from "../callback-data.js";
import { type BotContext, dropSession } from "../context.js";
import type { BotDeps } from "../deps.js";
import { isRepeatPress } from "../middleware/press-memory.js";
import { DELETABLE_FOR_SECONDS, FORGOTTEN } from "../middleware/recent-messages.js";
import { button, show, type Screen } from "../screen.js";
import { navRow, type View } from "../screens.js";

/**
 * /privacy explains what is kept; /forget deletes it. After one confirmation the bot deletes
 * everything stored under this chat's key and every message in the chat it still may (Telegram
 * allows 48 hours), then explains how to clear older history and set auto-delete.
 */
export function privacyFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  function privacyScreen(view: View, lead?: string): Screen {
    const text = view.t("privacy.text", { days: deps.settings.sessionTtlDays });
    return {
      html: lead === undefined ? text : `${lead}\n\n${text}`,
      keyboard: [
        [button.cb(view.t("buttons.forget"), cb.forgetAsk)],
        [button.cb(view.t("buttons.safety"), cb.topic("safety", { to: "menu" }))],
        navRow(view, cb.menu),
      ],
    };
  }

  function askScreen(view: View): Screen {
    return {
      html: view.t("privacy.forgetAsk"),
      keyboard: [[button.cb(view.t("buttons.forgetConfirm"), cb.forgetYes), button.cb(view.t("buttons.forgetCancel"), cb.forgetNo)]],
    };
  }

  feature.command("privacy", (ctx) => show(ctx, privacyScreen(ctx), "new"));
  feature.callbackQuery("pv", (ctx) => show(ctx, privacyScreen(ctx)));
  feature.command("forget", (ctx) => show(ctx, askScreen(ctx), "new"));
  feature.callbackQuery("fg", (ctx) => show(ctx, askScreen(ctx)));
  feature.callbackQuery("fg:n", (ctx) => show(ctx, privacyScreen(ctx, ctx.t("privacy.forgetKept"))));

  feature.callbackQuery("fg:y", async (ctx) => {
    await ctx.answerCallbackQuery();
    // The second press of a fast double tap: everything is gone already, including this message,
    // and this update must not leave a new record behind either.
    if (isRepeatPress(ctx)) return forgetThisUpdate(ctx);
    const now = Math.floor(deps.now() / 1000);
    const ids = new Set((ctx.session.recent ?? []).filter(([, at]) => now - at < DELETABLE_FOR_SECONDS).map(([id]) => id));
    if (ctx.callbackQuery.message !== undefined) ids.add(ctx.callbackQuery.message.message_id);

    await ctx.conversation.exitAll();
    if (ctx.anonKey !== undefined) deps.store.forget(ctx.anonKey);
    forgetThisUpdate(ctx);

    const sorted = [...ids].sort((a, b) => a - b);
    ctx.scope.deleted = sorted;
    await deleteMessages(ctx, sorted);
    await ctx.reply(ctx.t("privacy.forgetDone"), { parse_mode: "HTML" });
  });

  return feature;
}

/** Nothing of this update is written back: no session, no message ids. */
function forgetThisUpdate(ctx: BotContext): void {
  dropSession(ctx);
  Object.defineProperty(ctx, FORGOTTEN, { value: true });
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
