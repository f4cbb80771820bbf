/** Content an editor can fix (content/, locales/): one line per problem, naming the file and the place. */
export class ContentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Content is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
