import { describe, expect, it } from "vitest";
import { renderQuery } from "../../src/verification/index.js";

const vars = { service: "checkout-api", environment: "prod", namespace: "shop", workload: "checkout" };

describe("renderQuery", () => {
  it("substitutes every placeholder, with or without spaces inside the braces", () => {
    expect(
      renderQuery(
        'sum(rate(http_requests_total{service="{{service}}",env="{{ environment }}",namespace="{{namespace}}",pod=~"{{workload}}-.*"}[5m]))',
        vars,
      ),
    ).toBe(
      'sum(rate(http_requests_total{service="checkout-api",env="prod",namespace="shop",pod=~"checkout-.*"}[5m]))',
    );
  });

  it("escapes a value so it cannot close a double-quoted string", () => {
    const evil = { ...vars, service: 'x"} or vector(0) or {a="' };
    expect(renderQuery('up{service="{{service}}"}', evil)).toBe('up{service="x\\"} or vector(0) or {a=\\""}');
  });

  it("escapes for single-quoted strings with the single quote only", () => {
    expect(renderQuery("up{service='{{service}}'}", { ...vars, service: `a'b"c\\d` })).toBe(
      `up{service='a\\'b"c\\\\d'}`,
    );
  });

  it("escapes newlines and control characters", () => {
    expect(renderQuery('up{s="{{service}}"}', { ...vars, service: "a\nb\tc\u0001" })).toBe(
      'up{s="a\\nb\\tc\\x01"}',
    );
  });

  it("quotes regex metacharacters after =~ and !~ so a name cannot widen the match", () => {
    expect(renderQuery('up{service=~"{{service}}"}', { ...vars, service: "api.*" })).toBe(
      'up{service=~"api\\\\.\\\\*"}',
    );
    expect(renderQuery("up{service!~ '{{service}}|x'}", { ...vars, service: "a|b" })).toBe(
      "up{service!~ 'a\\\\|b|x'}",
    );
    expect(renderQuery('up{service="{{service}}"}', { ...vars, service: "api.*" })).toBe(
      'up{service="api.*"}',
    );
  });

  it("accepts backtick strings unless the value holds a backtick", () => {
    expect(renderQuery("up{service=`{{service}}`}", vars)).toBe("up{service=`checkout-api`}");
    expect(() => renderQuery("up{service=`{{service}}`}", { ...vars, service: "a`b" })).toThrow(
      /cannot go inside a backtick string/,
    );
  });

  it("tracks escaped quotes inside template strings", () => {
    expect(renderQuery('up{a="x\\"y", b="{{service}}"}', { ...vars, service: 'q"' })).toBe(
      'up{a="x\\"y", b="q\\""}',
    );
  });

  it("allows a bare placeholder only for a plain identifier", () => {
    expect(renderQuery("{{service}}:error_rate5m", { ...vars, service: "checkout_api" })).toBe(
      "checkout_api:error_rate5m",
    );
    expect(() => renderQuery("{{service}}:error_rate5m", vars)).toThrow(
      /\{\{service\}\} outside a quoted string and "checkout-api" is not a plain identifier; quote it, e.g. service="\{\{service\}\}"/,
    );
  });

  it("keeps a comment on its line", () => {
    expect(renderQuery('# for {{service}}\nup{s="{{service}}"}', { ...vars, service: "a\nvector(1)" })).toBe(
      '# for a vector(1)\nup{s="a\\nvector(1)"}',
    );
  });

  it("refuses unknown placeholders and missing values", () => {
    expect(() => renderQuery('up{x="{{cluster}}"}', vars)).toThrow(
      /unknown placeholder \{\{cluster\}\}; known placeholders: \{\{service\}\}/,
    );
    expect(() => renderQuery('up{ns="{{namespace}}"}', { service: "a", environment: "b" })).toThrow(
      /uses \{\{namespace\}\} but no namespace is known/,
    );
  });

  it("refuses a template with an unterminated string", () => {
    expect(() => renderQuery('up{s="{{service}}}', vars)).toThrow(/unterminated " string/);
  });

  it("leaves a query without placeholders unchanged", () => {
    expect(renderQuery("vector(1) # {x}", vars)).toBe("vector(1) # {x}");
  });
});
