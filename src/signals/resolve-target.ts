import type { RepoConfig } from "../config/repo-config.js";
import { safeToken } from "../proposal/markdown.js";
import { mentions } from "../text/words.js";
import type { Incident } from "./incident.js";

export type Resolution =
  | { ok: true; service: string; environment: string; why: string[] }
  | { ok: false; service: string | null; environment: string | null; reason: string; why: string[] };

/** A service found in a signal; `unknown` holds an issue form's Service answer that names none. */
interface FoundService {
  name: string;
  ambiguous: string[];
  unknown?: string;
}

const SERVICE_LABELS = ["service", "app", "app_kubernetes_io_name", "deployment", "job"] as const;
const ENVIRONMENT_LABELS = ["env", "environment", "namespace"] as const;

/** Finds the configured service and environment an incident is about (SPEC §3.4). */
export function resolveTarget(incident: Incident, config: RepoConfig): Resolution {
  const why: string[] = [];
  const service =
    incident.source === "alertmanager"
      ? serviceFromLabels(incident, config, why)
      : serviceFromText(incident, config, why);
  if (service === null) {
    return {
      ok: false,
      service: null,
      environment: null,
      reason:
        incident.source === "alertmanager"
          ? `no alert label among ${SERVICE_LABELS.join(", ")} names a configured service or alias (configured: ${Object.keys(config.services).join(", ") || "none"})`
          : `the text names no configured service or alias (configured: ${Object.keys(config.services).join(", ") || "none"})`,
      why,
    };
  }
  if (service.unknown !== undefined) {
    return {
      ok: false,
      service: null,
      environment: null,
      reason: `the issue form's Service field "${quotedToken(service.unknown)}" names no configured service or alias (configured: ${Object.keys(config.services).join(", ") || "none"}); edit the issue or comment /diagnose naming one`,
      why,
    };
  }
  if (service.ambiguous.length > 0) {
    return {
      ok: false,
      service: null,
      environment: null,
      reason: `the text names several services (${service.ambiguous.join(", ")}); name one`,
      why,
    };
  }
  const environments = Object.keys(config.services[service.name]?.environments ?? {});
  const environment =
    incident.source === "alertmanager"
      ? environmentFromLabels(incident, config, service.name, environments, why)
      : environmentFromText(incident, config, environments, why);
  if (typeof environment !== "string") {
    return { ok: false, service: service.name, environment: null, reason: environment.reason, why };
  }
  if (!environments.includes(environment)) {
    return {
      ok: false,
      service: service.name,
      environment,
      reason: `${service.name} has no ${environment} environment in .github/remedy.yml (it has: ${environments.join(", ")})`,
      why,
    };
  }
  return { ok: true, service: service.name, environment, why };
}

function aliasesOf(config: RepoConfig): Array<[alias: string, service: string]> {
  return Object.entries(config.services).flatMap(([name, service]) => [
    [name, name] as [string, string],
    ...service.aliases.map((alias) => [alias, name] as [string, string]),
  ]);
}

function lookupService(value: string, config: RepoConfig): string | null {
  const wanted = value.toLowerCase();
  return aliasesOf(config).find(([alias]) => alias.toLowerCase() === wanted)?.[1] ?? null;
}

function serviceFromLabels(incident: Incident, config: RepoConfig, why: string[]): FoundService | null {
  for (const label of SERVICE_LABELS) {
    const value = incident.labels[label];
    if (value === undefined) continue;
    const service = lookupService(value, config);
    if (service !== null) {
      why.push(`service ${service} from alert label ${label}="${quotedToken(value)}"`);
      return { name: service, ambiguous: [] };
    }
  }
  return null;
}

function serviceFromText(incident: Incident, config: RepoConfig, why: string[]): FoundService | null {
  // An issue form's Service field is the one place its author named the service: it decides alone.
  const named = incident.fields?.service;
  if (named !== undefined) {
    const service = lookupService(named, config);
    if (service === null) return { name: "", ambiguous: [], unknown: named };
    why.push(`service ${service} from the issue form's Service field`);
    return { name: service, ambiguous: [] };
  }
  // The title is where people name the service; the body often mentions neighbours ("unlike search-api…").
  for (const [part, text] of [
    ["title", incident.title],
    ["text", incident.text],
  ] as const) {
    const found = new Set(
      aliasesOf(config)
        .filter(([alias]) => mentions(text, alias))
        .map(([, service]) => service),
    );
    if (found.size === 1) {
      const name = [...found][0] as string;
      why.push(`service ${name} named in the issue ${part}`);
      return { name, ambiguous: [] };
    }
    if (found.size > 1) return { name: "", ambiguous: [...found].sort() };
  }
  return null;
}

function environmentAliases(config: RepoConfig, environments: string[]): Array<[alias: string, env: string]> {
  const names = new Set([...environments, ...Object.keys(config.environments)]);
  return [...names].flatMap((env) => [
    [env, env] as [string, string],
    ...(config.environments[env]?.aliases ?? []).map((alias) => [alias, env] as [string, string]),
  ]);
}

function lookupEnvironment(value: string, config: RepoConfig, environments: string[]): string | null {
  const wanted = value.toLowerCase();
  return (
    environmentAliases(config, environments).find(([alias]) => alias.toLowerCase() === wanted)?.[1] ?? null
  );
}

function environmentFromLabels(
  incident: Incident,
  config: RepoConfig,
  service: string,
  environments: string[],
  why: string[],
): string | { reason: string } {
  for (const label of ENVIRONMENT_LABELS) {
    const value = incident.labels[label];
    if (value === undefined) continue;
    const direct = lookupEnvironment(value, config, environments);
    if (direct !== null) {
      why.push(`environment ${direct} from alert label ${label}="${quotedToken(value)}"`);
      return direct;
    }
    if (label === "namespace") {
      const targets = config.services[service]?.environments ?? {};
      const byNamespace = Object.entries(targets).find(([, target]) => target.namespace === value)?.[0];
      if (byNamespace !== undefined) {
        why.push(
          `environment ${byNamespace} from alert label namespace="${quotedToken(value)}" (configured namespace)`,
        );
        return byNamespace;
      }
      // "checkout-prod" names prod when exactly one environment appears among its parts.
      const parts = value.toLowerCase().split(/[-_.]/);
      const candidates = new Set(
        environmentAliases(config, environments)
          .filter(([alias]) => parts.includes(alias.toLowerCase()))
          .map(([, env]) => env),
      );
      if (candidates.size === 1) {
        const env = [...candidates][0] as string;
        why.push(`environment ${env} from alert label namespace="${quotedToken(value)}"`);
        return env;
      }
    }
    // Label values are alert text: reduced to a token so they cannot carry words into the packet.
    return {
      reason: `alert label ${label}="${quotedToken(value)}" names no configured environment (known: ${environments.join(", ")})`,
    };
  }
  return defaultEnvironment(environments, why);
}

function environmentFromText(
  incident: Incident,
  config: RepoConfig,
  environments: string[],
  why: string[],
): string | { reason: string } {
  const named = incident.fields?.environment;
  if (named !== undefined) {
    const environment = lookupEnvironment(named, config, environments);
    if (environment === null)
      return {
        reason: `the issue form's Environment field "${quotedToken(named)}" names no configured environment (known: ${environments.join(", ")})`,
      };
    why.push(`environment ${environment} from the issue form's Environment field`);
    return environment;
  }
  for (const [part, text] of [
    ["title", incident.title],
    ["text", incident.text],
  ] as const) {
    const found = new Set(
      environmentAliases(config, environments)
        .filter(([alias]) => mentions(text, alias))
        .map(([, env]) => env),
    );
    if (found.size === 1) {
      const env = [...found][0] as string;
      why.push(`environment ${env} named in the issue ${part}`);
      return env;
    }
    if (found.size > 1)
      return { reason: `the issue names several environments (${[...found].sort().join(", ")}); name one` };
  }
  return defaultEnvironment(environments, why);
}

function defaultEnvironment(environments: string[], why: string[]): string | { reason: string } {
  if (environments.length === 1) {
    const only = environments[0] as string;
    why.push(`environment ${only}: the service's only environment`);
    return only;
  }
  if (environments.includes("prod")) {
    why.push("environment prod: none named and the service has several");
    return "prod";
  }
  return {
    reason: `no environment named and the service has several (${environments.join(", ")}); name one`,
  };
}

/**
 * A value a person or an alert chose, quoted in a reason that reaches issue text (the decision, the
 * timeline): a token without `@`, so a label `env="@org/team"` mentions nobody.
 */
function quotedToken(value: string): string {
  return safeToken(value).replace(/@/g, "_");
}
