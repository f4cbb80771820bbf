import { Composer } from "grammy";
import type { StatRow } from "../../stats/stats.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { escapeHtml } from "../../telegram/html.js";

/**
 * /stats for the operator: anonymous daily counts over 7 and 30 days. Only chats listed in
 * ADMIN_IDS see it; for anyone else the command falls through like any unknown command.
 */
export function adminFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  const admins = new Set(deps.settings.adminIds);

  feature.command("stats", async (ctx, next) => {
    if (!admins.has(ctx.chat.id)) return next();
    const blocks = await Promise.all([7, 30].map(async (days) => `<b>${ctx.t("stats.period", { days })}</b>\n${table(await deps.stats.summary(days)) || ctx.t("stats.empty")}`));
    await ctx.reply([ctx.t("stats.title"), ...blocks].join("\n\n"), { parse_mode: "HTML" });
  });
  return feature;
}

function table(rows: StatRow[]): string {
  const byName = new Map<string, StatRow[]>();
  for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), row]);
  return [...byName.entries()]
    .map(([name, list]) => {
      const total = list.reduce((sum, r) => sum + r.n, 0);
      const detail = list.filter((r) => r.label !== "").slice(0, 12).map((r) => `${escapeHtml(r.label)} ${r.n}`).join(", ");
      return `<code>${escapeHtml(name)}</code> ${total}${detail === "" ? "" : ` (${detail})`}`;
    })
    .join("\n");
}
