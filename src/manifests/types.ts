/** `restart` is the pod-template annotation `remedy.dev/restarted-at` (SPEC §3.2 `kind: restart`). */
export type Field = "replicas" | "image" | "restart";

/** One configured workload in one environment: which file holds its replicas and image pin. */
export interface ManifestTarget {
  kind: "helm" | "kustomize";
  /** Repo-relative path of the values file or kustomization.yaml. */
  file: string;
  /** Kustomize: the name in `replicas:`; also the Deployment's name. */
  workload: string;
  /** Kustomize: `images[].name` to match. Helm: if set, must equal `<tagKey's parent>.repository` when that exists. */
  image?: string;
  /** Helm dotted key; the caller supplies the default `replicaCount`. */
  replicasKey: string;
  /** Helm dotted key; the caller supplies the default `image.tag`. */
  tagKey: string;
  /** Helm dotted key of the pod annotations map the restart annotation goes in. Default `podAnnotations`. */
  restartKey?: string;
}

export type RefusalCode =
  | "parse-error"
  | "multi-document"
  | "alias"
  | "missing"
  | "ambiguous"
  | "hpa"
  | "invalid-value"
  | "unchanged"
  | "mismatch";

export interface Refusal {
  ok: false;
  code: RefusalCode;
  /** A sentence for humans: the file, the path in it, what is wrong and what to do. */
  reason: string;
}

export interface FieldValue {
  value: string;
  form: "count" | "tag" | "digest" | "timestamp";
  /** 1-based line of the scalar. */
  line: number;
}

export type ReadResult = ({ ok: true } & FieldValue) | Refusal;

export type EditResult =
  | {
      ok: true;
      before: FieldValue;
      after: string;
      text: string;
      /**
       * Set when a Kustomize `replicas:` entry did not exist and was appended. `before.value` is then ""
       * and `before.line` is the line of the new `count:`; the count in force before the edit comes from
       * `readReplicasFallback`.
       */
      added?: true;
    }
  | Refusal;

/** Reads a repo-relative file; null when it does not exist (or is a directory). */
export type ReadFile = (path: string) => Promise<string | null>;
