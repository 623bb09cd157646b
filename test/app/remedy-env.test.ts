import { describe, expect, it } from "vitest";
import { remedyEnv } from "../../src/app/remedy-env.js";

describe("remedyEnv", () => {
  it("defaults: data in .data, recovery from GitHub only when the store is new", () => {
    expect(remedyEnv({})).toEqual({ alertToken: "", dataDir: ".data", botLogin: null, recover: "auto" });
  });

  it("reads REMEDY_RECOVER in any case and refuses anything else, saying what it accepts", () => {
    expect(remedyEnv({ REMEDY_RECOVER: "Always" }).recover).toBe("always");
    expect(remedyEnv({ REMEDY_RECOVER: "off" }).recover).toBe("off");
    expect(() => remedyEnv({ REMEDY_RECOVER: "yes" })).toThrow(
      'REMEDY_RECOVER must be one of auto, always, off (got "yes")',
    );
  });
});
