import { describe, expect, it } from "vitest";
import { assertMatchesOpenApi, graphqlProblems, openApiProblems } from "../helpers/github-api.js";

// The checks every GitHub mock relies on must themselves catch drift, or they prove nothing.
describe("the GitHub API checks used by the mocks", () => {
  it("accepts documented requests, with encoded and multi-segment paths", () => {
    expect(openApiProblems("POST", "/repos/acme/gitops/git/refs", { ref: "refs/heads/x", sha: "a" })).toEqual(
      [],
    );
    expect(openApiProblems("GET", "/repos/acme/gitops/git/ref/heads%2Fremedy%2Fx")).toEqual([]);
    expect(openApiProblems("GET", "/repos/acme/gitops/contents/apps/values.yaml?ref=main")).toEqual([]);
    expect(() =>
      assertMatchesOpenApi("PATCH", "/repos/acme/gitops/issues/comments/2", { body: "x" }),
    ).not.toThrow();
  });

  it("flags an unknown endpoint, method, query parameter or body field, and a missing required field", () => {
    expect(openApiProblems("GET", "/repos/acme/gitops/nonsense")).toHaveLength(1);
    expect(openApiProblems("PUT", "/repos/acme/gitops/git/refs", { ref: "r", sha: "s" })).toHaveLength(1);
    expect(openApiProblems("GET", "/repos/acme/gitops/pulls?head=acme:x&labels=remedy")).toEqual([
      expect.stringContaining("labels"),
    ]);
    expect(
      openApiProblems("POST", "/repos/acme/gitops/pulls/7/requested_reviewers", { reviewers: [], teams: [] }),
    ).toEqual([expect.stringContaining("teams")]);
    expect(openApiProblems("POST", "/repos/acme/gitops/git/refs", { ref: "r" })).toEqual([
      expect.stringContaining("sha"),
    ]);
    expect(() =>
      assertMatchesOpenApi("POST", "/repos/acme/gitops/issues", { title: "t", bodyy: "x" }),
    ).toThrow(/bodyy/);
  });

  it("validates GraphQL documents against GitHub's schema", () => {
    expect(graphqlProblems('query { repository(owner: "a", name: "b") { nameWithOwner } }')).toEqual([]);
    expect(graphqlProblems('query { repository(owner: "a", name: "b") { noSuchField } }')).toHaveLength(1);
  });
});
