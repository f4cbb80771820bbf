import { formatDate, renderTopic, type RenderContext } from "../content/render.js";
import type { Topic } from "../content/schema.js";
import { type Back, cb } from "./callback-data.js";
import type { BotContext } from "./context.js";
import type { ContentDeps } from "./deps.js";
import { LANGUAGES } from "../i18n.js";
import { button, cachedScreen, pairs, show, type Screen } from "./screen.js";

/** Screens shared by several features. Each is a pure function of the view and the content. */

/** What a screen needs to know about the reader; a conversation builds one without the outer context. */
export type View = Pick<BotContext, "t" | "lang" | "me">;

export function renderContext(ctx: View, deps: ContentDeps): RenderContext {
  return { content: deps.content, t: ctx.t, lang: ctx.lang, username: ctx.me.username };
}

export function menuKeyboard(ctx: View) {
  const t = ctx.t;
  return [
    [button.cb(t("buttons.topics"), cb.topicList), button.cb(t("buttons.guided"), cb.guidedStart)],
    [button.cb(t("buttons.updates"), cb.topic("updates", { to: "menu" }))],
    [button.cb(t("buttons.lawyer"), cb.handoff())],
    [button.cb(t("buttons.share"), cb.share), button.cb(t("buttons.guide"), cb.offlineGuide)],
    [button.cb(t("buttons.privacy"), cb.privacy), button.cb(t("buttons.language"), cb.languagePicker)],
  ];
}

export function menuScreen(ctx: View, lead?: string): Screen {
  // The menu depends on the translations alone, so they key its cache.
  return menuScreens(ctx, ctx.t, lead);
}

const menuScreens = cachedScreen(
  (ctx: View, _t: object, lead: string | undefined): Screen => {
    const body = ctx.t("start.menu", { disclaimer: ctx.t("common.disclaimer") });
    return { html: lead === undefined ? body : `${lead}\n\n${body}`, keyboard: menuKeyboard(ctx) };
  },
  (lead) => lead ?? "",
);

export function navRow(ctx: View, back: string) {
  return [button.cb(ctx.t("buttons.back"), back), button.cb(ctx.t("buttons.home"), cb.menu)];
}

export const topicListScreen = cachedScreen(buildTopicList, () => "");

function buildTopicList(ctx: View, deps: ContentDeps): Screen {
  const r = renderContext(ctx, deps);
  const topics = deps.content.topics.map((topic) => button.cb(ctx.t(`topics.${topic.id}.button`), cb.topic(topic.id)));
  return {
    html: ctx.t("topicList.title", { date: formatDate(r, deps.content.recordedOn) }),
    keyboard: [...pairs(topics), [button.cb(ctx.t("buttons.home"), cb.menu)]],
  };
}

export function backTarget(back: Back): string {
  switch (back.to) {
    case "list":
      return cb.topicList;
    case "menu":
      return cb.menu;
    case "topic":
      return cb.topic(back.id);
    case "route":
      return cb.route(back.route);
  }
}

export const topicScreen = cachedScreen(buildTopicScreen, (topic: Topic, back: Back) => `${topic.id}|${backTarget(back)}`);

function buildTopicScreen(ctx: View, deps: ContentDeps, topic: Topic, back: Back): Screen {
  const here: Back = { to: "topic", id: topic.id };
  const related = topic.related.map((id) => button.cb(ctx.t("buttons.related", { title: ctx.t(`topics.${id}.button`) }), cb.topic(id, here)));
  return {
    html: renderTopic(renderContext(ctx, deps), topic),
    keyboard: [...pairs(related), [button.cb(ctx.t("buttons.lawyer"), cb.handoff(here))], navRow(ctx, backTarget(back))],
  };
}

export function languageScreen(ctx: View, deps: ContentDeps): Screen {
  const choices = LANGUAGES.map((lang) => button.cb(deps.i18n.t(lang)("meta.name"), cb.language(lang)));
  return { html: ctx.t("language.prompt"), keyboard: [choices, [button.cb(ctx.t("buttons.home"), cb.menu)]] };
}

/** A button the bot no longer understands (old, forged, or from before a content change). */
export async function showOutdated(ctx: BotContext): Promise<void> {
  if (ctx.callbackQuery?.message === undefined) {
    await ctx.answerCallbackQuery({ text: ctx.t("unknown.outdatedShort") });
    return;
  }
  await ctx.answerCallbackQuery({ text: ctx.t("unknown.outdated") });
  await show(ctx, menuScreen(ctx));
}
