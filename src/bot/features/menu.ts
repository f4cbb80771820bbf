import { Composer } from "grammy";
import type { Back } from "../callback-data.js";
import type { CallbackRouter } from "../callback-router.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { show } from "../screen.js";
import { menuScreen, sectionScreen, sectionsScreen, showOutdated, topicScreen, updatesPageScreen, updatesScreen, updatesSourcesScreen } from "../screens.js";

/** The topic browser: menu → sections → topics → related topics, and what changed since 2022; all edited in place. */
export function menuFeature(deps: BotDeps, buttons: CallbackRouter): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command("topics", (ctx) => show(ctx, sectionsScreen(ctx, deps), "new"));
  feature.command("updates", (ctx) => show(ctx, updatesScreen(ctx, deps, { to: "menu" }), "new"));

  buttons
    .on("menu", (ctx) => show(ctx, menuScreen(ctx)))
    .on("sections", (ctx) => show(ctx, sectionsScreen(ctx, deps)))
    .on("section", async (ctx, { id }) => {
      const screen = sectionScreen(ctx, deps, id);
      return screen === undefined ? showOutdated(ctx) : show(ctx, screen);
    })
    .on("topic", (ctx, { id, back }) => openTopic(ctx, id, back))
    .on("updates", (ctx, { back }) => show(ctx, updatesScreen(ctx, deps, back)))
    .on("updatesPage", async (ctx, { group, page, back }) => {
      const screen = updatesPageScreen(ctx, deps, group, page, back);
      return screen === undefined ? showOutdated(ctx) : show(ctx, screen);
    })
    .on("updatesSources", async (ctx, { group, page, back }) => {
      const screen = updatesSourcesScreen(ctx, deps, group, page, back);
      return screen === undefined ? showOutdated(ctx) : show(ctx, screen);
    });

  async function openTopic(ctx: BotContext, id: string, back: Back): Promise<void> {
    const topic = deps.content.topic(id);
    if (topic === undefined || (back.to === "topic" && deps.content.topic(back.id) === undefined)) return showOutdated(ctx);
    deps.stats.count("topic", topic.id);
    await show(ctx, topicScreen(ctx, deps, topic, back));
  }

  return feature;
}
