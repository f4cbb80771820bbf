import { readFileSync } from "node:fs";

const SPEAKER_TURN = /^(?:Yakov Spektor|Michael Levites) (\d{2}:\d{2})\s*$/gm;

/** The timestamps that open a speaker turn in the transcript: the only ones a topic may cite. */
export function transcriptTimestamps(text: string): Set<string> {
  return new Set([...text.matchAll(SPEAKER_TURN)].map((m) => m[1]!));
}

export function readTranscriptTimestamps(path: string): Set<string> {
  return transcriptTimestamps(readFileSync(path, "utf8"));
}
