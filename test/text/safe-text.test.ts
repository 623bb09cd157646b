import { describe, expect, it } from "vitest";
import { fenced } from "../../src/proposal/markdown.js";
import { fitBody, fitTitle, MAX_BODY, MAX_TITLE, safeText } from "../../src/text/safe-text.js";

const GHP = `ghp_${"A1b2C3d4E5".repeat(4)}`;
const PAT = `github_pat_${"x9Y8z7".repeat(10)}`;
const AKIA = "AKIAIOSFODNN7EXAMPLE";
const KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----";

describe("safeText", () => {
  it("masks tokens, keys, bearer tokens and password= values as the ledger does", () => {
    const out = safeText(
      `token ${GHP} pat ${PAT} aws ${AKIA}\npassword=hunter2hunter2 DB_PASSWORD="s3cr3t!" api_key: abcdef123\nAuthorization: Bearer abcdefghijklmnopqrstuvwxyz\n${KEY}`,
    );
    for (const secret of [
      GHP,
      PAT,
      AKIA,
      "hunter2hunter2",
      "s3cr3t!",
      "abcdef123",
      "abcdefghijklmnop",
      "MIIEow",
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain("password=[redacted]");
    expect(out).toContain('DB_PASSWORD="[redacted]"');
    expect(out).toContain("aws [redacted]");
  });

  it("keeps ordinary words that merely mention secrets", () => {
    expect(safeText("rotate the password, prompt_tokens=12, Bearer authentication")).toBe(
      "rotate the password, prompt_tokens=12, Bearer authentication",
    );
  });

  it("drops NUL and other C0/C1 controls but keeps newlines and tabs", () => {
    expect(safeText("a\u0000b\u0007c\u001bd\u007fe\u0085f\u009bg\th\r\ni\rj")).toBe("abcdefg\th\ni\nj");
  });

  it("neutralises bidi overrides and isolates visibly", () => {
    const out = safeText("access\u202E\u2066level\u2069\u202C ok");
    expect(out).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(out).toBe("access\uFFFD\uFFFDlevel\uFFFD\uFFFD ok");
  });
});

describe("fitTitle", () => {
  it("caps a title at 256 characters with a note saying how much was left out", () => {
    const title = fitTitle(`[incident] ${"A".repeat(10_000)}`);
    expect(title.length).toBeLessThanOrEqual(MAX_TITLE);
    expect(title).toMatch(/… \(\d+ more characters\)$/);
    const shown = title.replace(/… \(\d+ more characters\)$/, "");
    expect(Number(/\((\d+) more/.exec(title)?.[1])).toBe(11 + 10_000 - shown.length);
  });

  it("makes a title one clean line", () => {
    expect(fitTitle(`a\nb\u0000c ${GHP}`)).toBe("a bc [redacted]");
    expect(fitTitle("short")).toBe("short");
  });

  it("never splits a surrogate pair", () => {
    const title = fitTitle("😀".repeat(300));
    expect(title.length).toBeLessThanOrEqual(MAX_TITLE);
    expect(() => encodeURIComponent(title)).not.toThrow();
  });
});

describe("fitBody", () => {
  const block = `<!-- remedy:plan {"a":"${"b".repeat(3_000)}"} -->`;

  it("leaves a body that fits as it is, with the kept block last", () => {
    expect(fitBody("hello", block)).toBe(`hello\n\n${block}`);
  });

  it("shortens the human part, never the kept block, and says how much it left out", () => {
    const human = `## Why\n${"log line\n".repeat(20_000)}`;
    const body = fitBody(human, block);
    expect(body.length).toBeLessThanOrEqual(MAX_BODY);
    expect(body.endsWith(`\n\n${block}`)).toBe(true);
    const [, left, of] = /truncated: (\d+) of (\d+) characters left out/.exec(body) ?? [];
    expect(Number(of)).toBe(human.length);
    expect(Number(left)).toBe(human.length - body.indexOf("\n\n…(truncated"));
  });

  it("closes a code fence the cut lands in, so the note and the block stay outside it", () => {
    const body = fitBody(`intro\n\n${fenced("x\n".repeat(50_000))}`, block);
    expect(body.length).toBeLessThanOrEqual(MAX_BODY);
    const beforeNote = body.slice(0, body.indexOf("…(truncated"));
    expect(beforeNote.trimEnd().endsWith("\n```")).toBe(true);
  });

  it("cuts a single huge line too", () => {
    const body = fitBody("y".repeat(900_000), block);
    expect(body.length).toBeLessThanOrEqual(MAX_BODY);
    expect(body).toContain("truncated");
    expect(body.endsWith(block)).toBe(true);
  });

  it("makes the human part safe but leaves the kept block byte for byte", () => {
    const kept = '<!-- remedy:plan {"x":"password=keepme1"} -->';
    expect(fitBody(`password=hunter22\u0000`, kept)).toBe(`password=[redacted]\n\n${kept}`);
  });
});

describe("fenced", () => {
  it("cannot be closed by backtick runs that a dropped control character would join", () => {
    const out = fenced("``\u0000``\u0000`` then free text");
    const fence = /^`+/.exec(out)?.[0] ?? "";
    expect(fence.length).toBeGreaterThan(6);
  });

  it("quotes text with a huge number of backtick runs without overflowing the stack", () => {
    expect(() => fenced("`a".repeat(400_000))).not.toThrow();
  });
});
