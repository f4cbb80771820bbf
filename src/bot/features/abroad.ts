import type { UpdateItem } from "../../content/schema.js";
import { footer, notesBlock } from "../../content/render.js";
import type { Place } from "../../search/intents.js";
import { cb } from "../callback-data.js";
import type { ContentDeps } from "../deps.js";
import { button, type Screen } from "../screen.js";
import { renderContext, type View } from "../screens.js";

/** The route steps whose dated reasons apply to anyone in a third country: no border as a plan, and how visas work now. */
const ABROAD_STEPS = ["no-border", "visa-options"];

/** The dated notes for someone in a third country: those that change what the reader must do on the route steps that fit them (content/routes.json, keep). */
export function abroadNotes(deps: ContentDeps): UpdateItem[] {
  return [...new Set(ABROAD_STEPS.flatMap((key) => deps.content.step(key)?.keep ?? []))];
}

/**
 * The card for someone in a third country, as one self-contained message: the first step, the
 * notes that apply in any third country, and, when a country was named, a plain statement that the
 * bot knows nothing about that country in particular. It invents nothing about any country.
 */
export function abroadHtml(view: View, deps: ContentDeps, place: Place | undefined): string {
  const t = view.t;
  const r = renderContext(view, deps);
  return [
    t("place.title"),
    ...(place === undefined ? [] : [namedLine(view, place)]),
    `${t("place.first")}\n${t("place.visa")}`,
    notesBlock(r, abroadNotes(deps)),
    footer(r),
  ]
    .filter((part) => part !== "")
    .join("\n\n");
}

/** What the card says of the named country: the one thing the sources say of it, if any; otherwise that they say nothing. */
function namedLine(view: View, place: Place): string {
  const country = place.name[view.lang];
  return place.visaInterviewsIn === undefined ? view.t("place.named", { country }) : view.t("place.namedInterviews", { country, city: place.visaInterviewsIn[view.lang] });
}

export function abroadScreen(view: View, deps: ContentDeps, place: Place | undefined, topics: readonly string[] = []): Screen {
  const t = view.t;
  const more = topics.filter((id) => id !== "border" && id !== "visa-inside").slice(0, 1);
  return {
    html: abroadHtml(view, deps, place),
    keyboard: [
      [button.cb(t("buttons.guided"), cb.guidedStart())],
      [button.cb(t("topics.visa-inside.button"), cb.topic("visa-inside")), button.cb(t("topics.border.button"), cb.topic("border"))],
      ...more.map((id) => [button.cb(t(`topics.${id}.button`), cb.topic(id))]),
      [button.cb(t("buttons.lawyer"), cb.handoff())],
      [button.cb(t("buttons.home"), cb.menu)],
    ],
  };
}
