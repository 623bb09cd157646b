import { describe, expect, it } from "vitest";
import { containsPhrase, mentions, stem, words } from "../../src/text/words.js";

describe("words", () => {
  it("lower-cases, drops punctuation and stopwords, and stems", () => {
    expect(words("The errors are SPIKING after the deploy!")).toEqual(["error", "spik", "after", "deploy"]);
  });

  it("keeps versions and dotted tokens whole, splits words joined by - or _", () => {
    expect(words("image 1.4.2, high_latency and scale-up")).toEqual([
      "imag",
      "1.4.2",
      "high",
      "latency",
      "scal",
      "up",
    ]);
  });

  it("stems plural and -ing forms to meet their base words", () => {
    expect(stem("replicas")).toBe(stem("replica"));
    expect(stem("timeouts")).toBe(stem("timeout"));
    expect(stem("5xx")).toBe("5xx");
  });
});

describe("containsPhrase", () => {
  it("matches in order with at most one word between by default", () => {
    expect(containsPhrase(words("errors spiking after the deploy"), "after deploy")).toBe(true);
    expect(containsPhrase(words("after a big deploy"), "after deploy")).toBe(true);
    expect(containsPhrase(words("after a really big deploy"), "after deploy")).toBe(false);
    expect(containsPhrase(words("deploy after"), "after deploy")).toBe(false);
  });

  it("with gap 0 needs adjacent words", () => {
    expect(containsPhrase(words("risk of data loss"), "data loss", 0)).toBe(true);
    expect(containsPhrase(words("data was lost, no loss"), "data loss", 0)).toBe(false);
  });

  it("never matches an empty phrase", () => {
    expect(containsPhrase(words("anything"), "the")).toBe(false);
  });
});

describe("mentions", () => {
  it("matches a name as a whole word, not inside a longer name", () => {
    expect(mentions("checkout is down", "checkout")).toBe(true);
    expect(mentions("checkout-api is down", "checkout")).toBe(false);
    expect(mentions("search-api-v2 is slow", "search-api")).toBe(false);
    expect(mentions("problem with search-api.", "search-api")).toBe(true);
    expect(mentions("checkout's pods", "checkout")).toBe(true);
    expect(mentions("CHECKOUT is down", "checkout")).toBe(true);
  });

  it("escapes regular-expression characters in names", () => {
    expect(mentions("a.b is down", "a.b")).toBe(true);
    expect(mentions("axb is down", "a.b")).toBe(false);
  });
});
