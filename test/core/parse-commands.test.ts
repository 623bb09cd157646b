import { describe, expect, it } from "vitest";
import { parseCommands } from "../../src/signals/parse-commands.js";

const names = (body: string) => parseCommands(body).map((c) => c.name);

describe("parseCommands", () => {
  it("finds commands at the start of a line", () => {
    expect(names("/dry-run")).toEqual(["dry-run"]);
    expect(names("thanks!\n/propose scale to 6")).toEqual(["propose"]);
    expect(names("  /diagnose")).toEqual(["diagnose"]);
  });

  it("ignores commands mid-line, unknown commands and prefixes", () => {
    expect(names("please /rollback this")).toEqual([]);
    expect(names("/rollbacks")).toEqual([]);
    expect(names("/merge")).toEqual([]);
    expect(names("/dry-runner")).toEqual([]);
  });

  it("ignores commands in fenced code, indented code, inline code and quotes", () => {
    expect(names("```\n/rollback\n```")).toEqual([]);
    expect(names("~~~sh\n/rollback\n~~~")).toEqual([]);
    expect(names("````\n```\n/rollback\n````")).toEqual([]);
    expect(names("    /rollback")).toEqual([]);
    expect(names("\t/rollback")).toEqual([]);
    expect(names("> /rollback")).toEqual([]);
    expect(names("`/rollback`")).toEqual([]);
  });

  it("resumes after a fence closes", () => {
    expect(names("```\nlog\n```\n/dry-run")).toEqual(["dry-run"]);
  });

  it("treats CRLF bodies like LF ones and keeps each command once, in order", () => {
    expect(names("/propose\r\n/dry-run\r\n/propose")).toEqual(["propose", "dry-run"]);
  });

  it("returns the human text outside code and quotes, for values", () => {
    const [command] = parseCommands(
      "/propose\nscale to 6 replicas\n> scale to 99 replicas\n`scale to 50`\n```\nscale to 70\n```",
    );
    expect(command?.text).toContain("scale to 6 replicas");
    expect(command?.text).not.toMatch(/99|50|70/);
  });
});
