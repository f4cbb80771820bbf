import { Composer } from "grammy";
import { decodeBack } from "../callback-data.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { show } from "../screen.js";
import { menuScreen, showOutdated, topicListScreen, topicScreen } from "../screens.js";

/** The topic browser: menu → topics → a topic → related topics, all edited in place. */
export function menuFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.callbackQuery("m", (ctx) => show(ctx, menuScreen(ctx)));
  feature.callbackQuery("tl", (ctx) => show(ctx, topicListScreen(ctx, deps)));
  feature.command("topics", (ctx) => show(ctx, topicListScreen(ctx, deps), "new"));
  feature.command("updates", (ctx) => openTopic(ctx, "updates", undefined, "new"));

  feature.callbackQuery(/^t:([a-z0-9-]+)(?::(.+))?$/, (ctx) => openTopic(ctx, ctx.match[1]!, ctx.match[2], "auto"));

  async function openTopic(ctx: BotContext, id: string, rawBack: string | undefined, mode: "auto" | "new"): Promise<void> {
    const topic = deps.content.topic(id);
    const back = decodeBack(rawBack);
    if (topic === undefined || back === undefined) return showOutdated(ctx);
    deps.stats.count("topic", topic.id);
    await show(ctx, topicScreen(ctx, deps, topic, back), mode);
  }

  return feature;
}
