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

  describe("follows CommonMark, so a command hidden from the rendered comment does nothing", () => {
    it("ignores commands inside HTML comments, on one line or several", () => {
      expect(names("<!-- /rollback -->")).toEqual([]);
      expect(names("looks fine to me\n\n<!--\n/rollback\n-->")).toEqual([]);
      expect(names("ok <!--\n/rollback\n-->")).toEqual([]);
    });

    it("ignores commands inside <pre> and other HTML blocks", () => {
      expect(names("<pre>\n/rollback\n</pre>")).toEqual([]);
      expect(names("<details>\n/rollback\n</details>")).toEqual([]);
      expect(names("<div>\n/rollback\n\n</div>")).toEqual([]);
      expect(names('<p hidden="">\n/rollback\n</p>')).toEqual([]);
    });

    it("ignores lazy continuation lines of a block quote", () => {
      expect(names("> quoting the alert\n/rollback")).toEqual([]);
      expect(names("> a\n> b\n/rollback\nmore")).toEqual([]);
      // A blank line ends the quote: what follows is the writer's own words.
      expect(names("> a\n\n/rollback")).toEqual(["rollback"]);
    });

    it("keeps a fence open past a line that CommonMark does not treat as its closing fence", () => {
      expect(names("```\nlog\n```js\n/rollback\n```")).toEqual([]);
      expect(names("~~~\n```\n/rollback\n~~~")).toEqual([]);
      expect(names("~~~~\n~~~\n/rollback\n~~~~")).toEqual([]);
      // Unclosed fences run to the end of the comment.
      expect(names("```\n/rollback")).toEqual([]);
    });

    it("ignores indented code after a blank line but honours an indented continuation of a paragraph", () => {
      expect(names("text\n\n    /rollback")).toEqual([]);
      expect(names("text\n    /dry-run")).toEqual(["dry-run"]);
    });

    it("ignores commands in list items, headings, emphasis and link text", () => {
      expect(names("- /rollback")).toEqual([]);
      expect(names("# /rollback")).toEqual([]);
      expect(names("*/rollback*")).toEqual([]);
      expect(names("[/rollback](https://example.com)")).toEqual([]);
    });

    it("cannot be spliced together around inline code or inline HTML", () => {
      expect(names("`x`/rollback")).toEqual([]);
      expect(names("<span>x</span>/rollback")).toEqual([]);
      expect(names("<!-- x -->/rollback")).toEqual([]);
    });

    it("still finds a command after a hard line break or a closed HTML block", () => {
      expect(names("thanks  \n/dry-run")).toEqual(["dry-run"]);
      expect(names("<!-- note -->\n\n/dry-run")).toEqual(["dry-run"]);
    });

    it("keeps values out of HTML comments and lazy quote lines", () => {
      const [command] = parseCommands("/propose\nscale to 6\n\n<!-- scale to 99 -->\n\n> q\nscale to 50");
      expect(command?.text).toContain("scale to 6");
      expect(command?.text).not.toMatch(/99|50/);
    });
  });

  describe("comments anyone can post cannot crash or stall the parser", () => {
    it("containers nested deeper than a person writes carry no command, and nothing throws", () => {
      expect(names(`${"> ".repeat(32_000)}/rollback`)).toEqual([]);
      expect(names(`${"- ".repeat(32_000)}/rollback`)).toEqual([]);
      expect(names(`${"1. ".repeat(20_000)}/rollback`)).toEqual([]);
      // Sixteen levels are still read as CommonMark says.
      expect(names(`${"> ".repeat(16)}/rollback`)).toEqual([]);
      expect(names(`${"> ".repeat(16)}x\n\n/dry-run`)).toEqual(["dry-run"]);
    });

    it("a comment longer than GitHub allows has no command", () => {
      expect(names(`/rollback\n${"a".repeat(70_000)}`)).toEqual([]);
    });

    it("a long comment of emphasis or link openers still yields its command", () => {
      expect(names(`/rollback\n${"*a".repeat(30_000)}`)).toEqual(["rollback"]);
      expect(names(`/rollback\n${"[a](".repeat(15_000)}`)).toEqual(["rollback"]);
    });
  });
});
