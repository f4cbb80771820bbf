import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { removeDir } from "./support/harness.js";
import { waitFor } from "./support/process.js";
import { en, ru } from "./support/texts.js";

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (child?.exitCode === null) child.kill("SIGKILL");
  if (dir !== undefined) removeDir(dir);
  dir = undefined;
});

/** Runs the terminal chat; `viaPty` wraps it in util-linux `script`, which gives it a real pseudo-terminal. */
function startChat(args: string[], viaPty: boolean, db = join((dir = mkdtempSync(join(tmpdir(), "asylum-chat-"))), "bot.sqlite")) {
  const command = `${process.execPath} dist/tools/chat.js --db ${db} ${args.join(" ")}`;
  child = viaPty
    ? spawn("script", ["-qfec", command, "/dev/null"], { env: { ...process.env, TERM: "dumb" }, stdio: ["pipe", "pipe", "pipe"] })
    : spawn(process.execPath, ["dist/tools/chat.js", "--db", db, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));
  const said = () => out;
  let mark = 0;
  return {
    db,
    /** The exit code, within 30 s. */
    async exitCode() {
      await waitFor(() => child!.exitCode !== null, "the chat to exit", 30_000, said);
      return exited;
    },
    /** Types a line, then waits for output (after what was already there) that contains `expected`. */
    async type(line: string, expected: string | RegExp) {
      mark = out.length;
      child!.stdin!.write(`${line}\n`);
      await waitFor(() => (typeof expected === "string" ? out.slice(mark).includes(expected) : expected.test(out.slice(mark))), `"${String(expected)}" after typing "${line}"`, 30_000, said);
      return out.slice(mark);
    },
    output: () => out,
  };
}

describe.each([
  ["through a pipe", false],
  ["through a pseudo-terminal", true],
])("npm run chat %s", (_how, viaPty) => {
  it("shows messages with numbered buttons; numbers press them, text and commands are sent, inline search works", async () => {
    const chat = startChat(["--lang", "en"], viaPty);
    await waitFor(() => chat.output().includes("A number presses a button"), "the chat to start", 30_000, chat.output);
    const start = await chat.type("/start", `[3] ${en("buttons.topics")}`);
    expect(start).toContain(en("common.disclaimer"));
    expect(start).toContain(`[1] ${en("buttons.guided")}`);
    const sections = await chat.type("3", en("sections.border-after"));
    const section = new RegExp(`\\[(\\d+)\\] ${en("sections.border-after")}`).exec(sections)![1]!;
    const list = await chat.type(section, en("topics.bond.button"));
    const bond = new RegExp(`\\[(\\d+)\\] ${en("topics.bond.button").replace(/[()]/g, "\\$&")}`).exec(list)![1]!;
    const topic = await chat.type(bond, en("topics.bond.title"));
    expect(topic).toContain("Video: 17:21, 17:50, 18:00");
    await chat.type("what about detention", `[1] ${en("topics.detention.button")}`);
    const results = await chat.type("@zalog", `[i1] ${ru("topics.bond.title")}`);
    expect(results).toMatch(/\[i\d\]/);
    await chat.type("i1", "posted in the other chat");
    const guide = await chat.type("/guide", en("guide.choose").split("\n")[0]!);
    expect(guide).toContain(en("buttons.guideRu"));
    await chat.type("1", "saved to");
    await chat.type("/quit", /$/);
    expect(await chat.exitCode()).toBe(0);
    expect(existsSync(chat.db)).toBe(true);
  });
});

describe("npm run chat on a database an earlier chat used", () => {
  it("answers the first message of the second chat too: its update ids go on after those the database has handled", async () => {
    const first = startChat(["--lang", "en"], false);
    await waitFor(() => first.output().includes("A number presses a button"), "the chat to start", 30_000, first.output);
    await first.type("/start", `[3] ${en("buttons.topics")}`);
    await first.type("/quit", /$/);
    expect(await first.exitCode()).toBe(0);
    const second = startChat(["--lang", "en"], false, first.db);
    await waitFor(() => second.output().includes("A number presses a button"), "the chat to start", 30_000, second.output);
    await second.type("/start", `[3] ${en("buttons.topics")}`);
    await second.type("/quit", /$/);
    expect(await second.exitCode()).toBe(0);
  });
});
