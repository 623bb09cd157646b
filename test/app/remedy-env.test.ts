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
      retryAttempts: 5,
      retryBaseMs: 1000,
      githubTimeoutMs: 10_000,
      workConcurrency: 8,
    });
  });

  it("reads how much accepted work runs at once, refusing zero with the fix", () => {
    expect(remedyEnv({ REMEDY_WORK_CONCURRENCY: "2" }).workConcurrency).toBe(2);
    expect(() => remedyEnv({ REMEDY_WORK_CONCURRENCY: "0" })).toThrow(
      /REMEDY_WORK_CONCURRENCY must be a whole number .* from 1 to 256 \(got "0"\); unset it for the default 8/,
    );
  });

  it("reads the retry and timeout settings, refusing what is not a whole number in range with the fix", () => {
    const env = remedyEnv({
      REMEDY_RETRY_ATTEMPTS: "3",
      REMEDY_RETRY_BASE_MS: " 250 ",
      REMEDY_GITHUB_TIMEOUT_MS: "2000",
    });
    expect([env.retryAttempts, env.retryBaseMs, env.githubTimeoutMs]).toEqual([3, 250, 2000]);
    expect(() => remedyEnv({ REMEDY_RETRY_ATTEMPTS: "0" })).toThrow(
      'REMEDY_RETRY_ATTEMPTS must be a whole number of attempts from 1 to 50 (got "0"); unset it for the default 5',
    );
    expect(() => remedyEnv({ REMEDY_RETRY_BASE_MS: "1s" })).toThrow(
      /REMEDY_RETRY_BASE_MS must be a whole number/,
    );
    expect(() => remedyEnv({ REMEDY_GITHUB_TIMEOUT_MS: "2.5" })).toThrow(
      /REMEDY_GITHUB_TIMEOUT_MS must be a whole number of milliseconds from 10 to 600000 \(got "2.5"\)/,
    );
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
