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
      redisUrl: null,
      leaseMs: 15_000,
    });
  });

  it("REMEDY_MODE: on, off or dry-run; an unknown value stops writes (off) rather than leaving them on", () => {
    expect(remedyEnv({ REMEDY_MODE: "OFF" }).mode).toBe("off");
    expect(remedyEnv({ REMEDY_MODE: "dry-run" }).mode).toBe("dry-run");
    expect(remedyEnv({ REMEDY_MODE: "offf" }).mode).toBe("off");
  });

  it("reads REDIS_URL and REMEDY_LEASE_SECONDS, refusing a lease that is not a sane number", () => {
    const env = remedyEnv({ REDIS_URL: " redis://127.0.0.1:6379/0 ", REMEDY_LEASE_SECONDS: "1.5" });
    expect(env.redisUrl).toBe("redis://127.0.0.1:6379/0");
    expect(env.leaseMs).toBe(1_500);
    expect(() => remedyEnv({ REMEDY_LEASE_SECONDS: "soon" })).toThrow(
      'REMEDY_LEASE_SECONDS must be a number of seconds from 0.2 to 3600 (got "soon")',
    );
  });

  it("reads REMEDY_RECOVER in any case and refuses anything else, saying what it accepts", () => {
    expect(remedyEnv({ REMEDY_RECOVER: "Always" }).recover).toBe("always");
    expect(remedyEnv({ REMEDY_RECOVER: "off" }).recover).toBe("off");
    expect(() => remedyEnv({ REMEDY_RECOVER: "yes" })).toThrow(
      'REMEDY_RECOVER must be one of auto, always, off (got "yes")',
    );
  });
});
