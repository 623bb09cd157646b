import type { HistoryReader, RepoReader } from "../../src/repo/repo-reader.js";
import { RepoConfig } from "../../src/config/repo-config.js";
import { parseWithSchema } from "../../src/config/parse-with-schema.js";
import type { Incident } from "../../src/signals/incident.js";
import { REMEDY_YML } from "./fixture-repo.js";

/** The fixture repository's configuration, parsed through its schema. */
export const config: RepoConfig = parseWithSchema(".github/remedy.yml", REMEDY_YML, RepoConfig);

export function alertIncident(labels: Record<string, string>, text = ""): Incident {
  return {
    key: "a".repeat(64),
    source: "alertmanager",
    status: "firing",
    title: text,
    text,
    trustedText: "",
    labels,
    alertnames: labels.alertname ? [labels.alertname] : [],
    issue: 1,
    author: null,
    truncatedAlerts: 0,
    startsAt: null,
  };
}

export function issueIncident(title: string, body = ""): Incident {
  const text = `${title}\n${body}`;
  return {
    key: "b".repeat(64),
    source: "issue",
    status: "firing",
    title,
    text,
    trustedText: text,
    labels: {},
    alertnames: [],
    issue: 2,
    author: { login: "oncall", role: "write" },
    truncatedAlerts: 0,
    startsAt: null,
  };
}

/** A repository held in a map, read like a checkout with no history. */
export function memoryReader(files: Record<string, string>): RepoReader & HistoryReader {
  return {
    readFile: async (path) => files[path] ?? null,
    listFiles: async (dir) => {
      const prefix = dir.replace(/\/?$/, "/");
      return Object.keys(files)
        .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes("/"))
        .sort();
    },
    fileHistory: async () => [],
  };
}
