import { describe, expect, it } from "vitest";
import { remedyEnv } from "../../src/app/remedy-env.js";

describe("remedyEnv", () => {
  it("defaults: data in .data, recovery from GitHub only when the store is new", () => {
    expect(remedyEnv({})).toEqual({
      alertToken: "",
      dataDir: ".data",
      botLogin: null,
      recover: "auto",
      mode: "on",
    });
  });

  it("REMEDY_MODE: on, off or dry-run; an unknown value stops writes (off) rather than leaving them on", () => {
    expect(remedyEnv({ REMEDY_MODE: "OFF" }).mode).toBe("off");
    expect(remedyEnv({ REMEDY_MODE: "dry-run" }).mode).toBe("dry-run");
    expect(remedyEnv({ REMEDY_MODE: "offf" }).mode).toBe("off");
  });

  it("reads REMEDY_RECOVER in any case and refuses anything else, saying what it accepts", () => {
    expect(remedyEnv({ REMEDY_RECOVER: "Always" }).recover).toBe("always");
    expect(remedyEnv({ REMEDY_RECOVER: "off" }).recover).toBe("off");
    expect(() => remedyEnv({ REMEDY_RECOVER: "yes" })).toThrow(
      'REMEDY_RECOVER must be one of auto, always, off (got "yes")',
    );
  });
});
