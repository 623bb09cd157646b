/**
 * A small GitOps repository written for these tests (not the shared example), so the invariant and
 * unit tests do not move when someone edits scenarios/repos/acme. It also holds files a plan must
 * never touch: a workflow, a secret, policies and runbooks.
 */
export const REMEDY_YML = `mode: propose
services:
  checkout-api:
    owners: ["@acme/payments"]
    aliases: [checkout]
    environments:
      prod:
        kind: kustomize
        file: manifests/checkout-api/overlays/prod/kustomization.yaml
        workload: checkout-api
        image: ghcr.io/acme/checkout-api
      staging:
        kind: kustomize
        file: manifests/checkout-api/overlays/staging/kustomization.yaml
        workload: checkout-api
        image: ghcr.io/acme/checkout-api
  search-api:
    owners: ["@acme/search"]
    aliases: [search]
    environments:
      prod:
        kind: helm
        file: manifests/search-api/values-prod.yaml
  legacy:
    environments:
      prod:
        kind: helm
        file: manifests/legacy/values.yaml
environments:
  prod: { aliases: [production, prd] }
  staging: { aliases: [stage, stg] }
`;

export const POLICY = `environments:
  prod:
    actions:
      scale:          { allow: true, min_replicas: 2, max_replicas: 30, max_step: 4, approvals: 1 }
      set-image:      { allow: true, registries: ["ghcr.io/acme/"], approvals: 2 }
      rollback-image: { allow: true, approvals: 1 }
    freeze:
      - { from: "2026-11-26T00:00:00Z", to: "2026-11-30T23:59:59Z", reason: "Black Friday", except: [rollback-image] }
    rate_limit: { prs_per_service_per_hour: 2 }
    reviewers: ["@acme/sre-oncall"]
  staging:
    actions:
      scale: { allow: true, max_replicas: 10, approvals: 0 }
      set-image: { allow: true, registries: ["ghcr.io/acme/"], approvals: 0 }
escalate:
  alertnames: [DatabaseFailover]
  labels: { severity: page-human }
  keywords: ["data loss", "drop table"]
`;

export const RUNBOOKS: Record<string, string> = {
  "runbooks/scale-on-latency.yaml": `id: scale-on-latency
title: Add replicas when latency rises under load
match:
  alertnames: [HighLatency]
  keywords: ["latency", "p99", "scale up", "more replicas"]
action:
  kind: scale
  replicas: "+2"
verify:
  interval: 30s
  soak: 2m
  failure_threshold: 2
  max_errors: 3
  checks:
    - name: latency_p99
      query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="{{service}}"}[5m])))'
      max: 0.5
    - name: rollout
`,
  "runbooks/rollback-bad-deploy.yaml": `id: rollback-bad-deploy
title: Roll back a deployment that raised the error rate
match:
  alertnames: [HighErrorRate]
  keywords: ["error rate", "5xx", "after deploy"]
action:
  kind: rollback-image
verify:
  checks:
    - name: error_rate
      query: 'sum(rate(http_requests_total{service="{{service}}",code=~"5.."}[5m]))'
      max: 0.02
`,
  "runbooks/deploy-image.yaml": `id: deploy-image
title: Move a service to a named image tag
match:
  keywords: ["deploy", "hotfix", "image tag"]
action:
  kind: set-image
`,
  "runbooks/database-failover.yaml": `id: database-failover
title: Database primary unavailable
match:
  alertnames: [PostgresPrimaryDown]
  keywords: ["database down", "failover"]
action:
  kind: escalate
`,
};

export const CHECKOUT_PROD = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: checkout-prod
resources:
  - ../../base
replicas:
  - name: checkout-api
    count: 4
images:
  - name: ghcr.io/acme/checkout-api
    newTag: "1.4.2"
`;

export const CHECKOUT_PROD_PREVIOUS = CHECKOUT_PROD.replace('"1.4.2"', '"1.4.1"');

export const CHECKOUT_STAGING = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
replicas:
  - name: checkout-api
    count: 1
images:
  - name: ghcr.io/acme/checkout-api
    newTag: "1.5.0-rc.1"
`;

export const SEARCH_PROD = `# search-api production values
replicaCount: 6   # sized for the catalogue

image:
  repository: ghcr.io/acme/search-api
  tag: "2.10"

autoscaling:
  enabled: false
`;

export const LEGACY_VALUES = `replicaCount: 3
image:
  repository: docker.io/someone/legacy
  tag: "0.1.0"
`;

/** Files outside the configured manifests; a plan must never write any of them. */
export const PROTECTED_FILES: Record<string, string> = {
  ".github/workflows/deploy.yml": "on: push\njobs: {}\n",
  "secrets/db-password.yaml":
    "apiVersion: v1\nkind: Secret\nmetadata: { name: db }\ndata: { password: aHVudGVyMg== }\n",
  "manifests/checkout-api/base/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout-api
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: checkout-api
          image: ghcr.io/acme/checkout-api:1.0.0
`,
  "manifests/checkout-api/base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
};

export const MANIFEST_FILES = [
  "manifests/checkout-api/overlays/prod/kustomization.yaml",
  "manifests/checkout-api/overlays/staging/kustomization.yaml",
  "manifests/search-api/values-prod.yaml",
  "manifests/legacy/values.yaml",
] as const;

export function fixtureFiles(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ".github/remedy.yml": REMEDY_YML,
    "policies/default.yaml": POLICY,
    ...RUNBOOKS,
    "manifests/checkout-api/overlays/prod/kustomization.yaml": CHECKOUT_PROD,
    "manifests/checkout-api/overlays/staging/kustomization.yaml": CHECKOUT_STAGING,
    "manifests/search-api/values-prod.yaml": SEARCH_PROD,
    "manifests/legacy/values.yaml": LEGACY_VALUES,
    ...PROTECTED_FILES,
    ...overrides,
  };
}
