import nock from "nock";
import { it } from "vitest";
import { issueOpened, startRemedy } from "/work/main/test/app/harness.js";
it("prof", async () => {
  nock.disableNetConnect();
  const t0 = Date.now();
  const h = await startRemedy();
  console.log("start", Date.now() - t0);
  const scope = nock("https://api.github.com");
  const issue = h.github.addIssue({ title: "storefront prod: p99 latency high under traffic spike, scale to 8", body: "x", labels: ["incident"], user: "alice" });
  const t1 = Date.now();
  const times: string[] = [];
  const orig = h.github.requests.push.bind(h.github.requests);
  h.github.requests.push = (...items) => { for (const i of items) times.push(`${Date.now() - t1} ${i.method} ${i.path}`); return orig(...items); };
  await h.probot.receive({ id: "x", name: "issues", payload: issueOpened({ ...issue }) } as never);
  await h.runtime.idle();
  console.log(times.join("\n"), "\ntotal", Date.now() - t1);
  void scope;
}, 60000);
