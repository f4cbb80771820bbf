import { afterEach, describe, expect, it } from "vitest";
import { random } from "../tools/workload.js";
import { startTestBot, type TestBot } from "./support/harness.js";
import { texts } from "./support/texts.js";

let tb: TestBot;
afterEach(() => tb.close());

const BOOKING = "https://firm.example/book";

describe("a user tapping around at random", () => {
  it.each(["ru", "en"] as const)("in %s reaches at least 14 cited topics, the changes, the phone and the booking link, with no call rejected", async (lang) => {
    tb = await startTestBot({ bookingUrl: BOOKING });
    const user = tb.user({ language_code: lang });
    const rand = random(lang === "ru" ? 7 : 11);
    const cited = new Set<string>();
    let updates = false;
    let phone = false;
    let booking = false;
    await user.send("/start");
    for (let step = 0; step < 400; step++) {
      const message = user.botMessages().filter((m) => (m.reply_markup?.inline_keyboard.length ?? 0) > 0).at(-1);
      if (message === undefined) {
        await user.send("/start");
        continue;
      }
      const buttons = user.buttons(message);
      for (const b of buttons) if ("url" in b && b.url === BOOKING) booking = true;
      // Leaving the chat (forget) would end the walk; everything else is fair game.
      const choices = buttons.filter((b) => "callback_data" in b && !b.callback_data.startsWith("fg"));
      const choice = choices[Math.floor(rand() * choices.length)];
      if (choice === undefined || !("callback_data" in choice)) {
        await user.send("/start");
        continue;
      }
      const before = user.botMessages().length;
      await user.pressData(choice.callback_data, message);
      // What the user sees now: the pressed message as edited, and anything newly sent.
      const seen = user.botMessages().filter((m, i) => m.message_id === message.message_id || i >= before);
      for (const shown of seen) {
        const text = shown.text ?? "";
        const title = text.split("\n", 1)[0]!;
        if (/(?:Video|Видео): \d{2}:\d{2}/.test(text)) cited.add(title);
        // A page of what changed: a subject's title, and its items' short lines.
        if (tb.app.deps.content.updates.groups.some((g) => title.startsWith(texts(lang)(`updates.groups.${g}`))) && tb.app.deps.content.updates.items.some((item) => text.includes(texts(lang)(`updates.items.${item.id}.short`)))) updates = true;
        if (text.includes("+1 646-859-0205")) phone = true;
      }
    }
    expect(tb.tg.rejected).toEqual([]);
    expect(cited.size, [...cited].join(" | ")).toBeGreaterThanOrEqual(14);
    expect({ updates, phone, booking }).toEqual({ updates: true, phone: true, booking: true });
  });
});
