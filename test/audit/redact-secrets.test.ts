import { describe, expect, it } from "vitest";
import { redactSecrets } from "../../src/audit/index.js";

const ghp = `ghp_${"A1b2".repeat(9)}`;
const ghs = `ghs_${"Z9y8".repeat(9)}`;
const pat = `github_pat_${"11ABCDEFG0".repeat(4)}_${"x".repeat(20)}`;
const sk = `sk-proj-${"q".repeat(40)}`;
const jwt = `eyJhbGciOiJSUzI1NiJ9.${"eyJpc3MiOjF9"}.${"c2lnbmF0dXJlLXNpZ25hdHVyZQ"}`;

describe("redactSecrets", () => {
  it("masks values under secret-sounding keys at any depth", () => {
    const out = redactSecrets({
      token: "t0k",
      headers: { Authorization: "Bearer abc", "x-api-key": "k", cookie: "c=1" },
      config: [{ github_token: "x", clientSecret: "y", password: "p", apiKey: "z", private_key: "-----" }],
    });
    expect(out).toEqual({
      token: "[redacted]",
      headers: { Authorization: "[redacted]", "x-api-key": "[redacted]", cookie: "[redacted]" },
      config: [
        {
          github_token: "[redacted]",
          clientSecret: "[redacted]",
          password: "[redacted]",
          apiKey: "[redacted]",
          private_key: "[redacted]",
        },
      ],
    });
  });

  it("keeps keys that only look alike, such as model token counts", () => {
    const data = {
      usage: { prompt_tokens: 812, completion_tokens: 40 },
      tokenizer: "o200k",
      author: "alice",
      key: "service",
    };
    expect(redactSecrets(data)).toEqual(data);
  });

  it.each([
    ["a bearer token", `curl -H "Authorization: Bearer ${"abcDEF123456789xyz"}" https://x`],
    ["a GitHub personal token", `use ${ghp} here`],
    ["a GitHub App installation token", `token=${ghs};`],
    ["a fine-grained GitHub token", pat],
    ["an OpenAI-style key", `OPENAI_API_KEY=${sk}`],
    ["a JWT", `jwt ${jwt}`],
    ["credentials in a URL", "https://x-access-token:s3cr3t@github.com/acme/gitops.git"],
  ])("masks %s inside free text and keeps the rest", (_name, text) => {
    const out = redactSecrets({ log: text }).log as string;
    expect(out).toContain("[redacted]");
    for (const secret of [ghp, ghs, pat, sk, jwt, "abcDEF123456789xyz", "s3cr3t"])
      expect(out).not.toContain(secret);
  });

  it("leaves ordinary prose, numbers and nulls alone", () => {
    const data = {
      text: "Bearer authentication failed after deploy 1.4.3",
      n: 3,
      none: null,
      secret: null,
      ok: true,
    };
    expect(redactSecrets(data)).toEqual(data);
  });

  it("does not mutate its input and keeps __proto__ as data", () => {
    const input = JSON.parse('{"__proto__":{"token":"x"},"a":{"password":"p"}}') as Record<string, unknown>;
    const out = redactSecrets(input);
    expect(input).toEqual(JSON.parse('{"__proto__":{"token":"x"},"a":{"password":"p"}}'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"token":"[redacted]"},"a":{"password":"[redacted]"}}');
  });
});
