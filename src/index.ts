import type { ApplicationFunction } from "probot";
import { alertRoute } from "./app/alert-route.js";
import { createRuntime } from "./app/create-runtime.js";
import { onCheckRunEvent } from "./app/on-check-run-event.js";
import { onCommentEvent } from "./app/on-comment-event.js";
import { onIssueClosedEvent } from "./app/on-issue-closed-event.js";
import { onInstallationEvent } from "./app/on-installation-event.js";
import { onIssueEvent } from "./app/on-issue-event.js";
import { onLabelEvent } from "./app/on-label-event.js";
import { onPullRequestClosed } from "./app/on-pull-request-closed.js";
import { onPullRequestEvent } from "./app/on-pull-request-event.js";
import { onPushEvent } from "./app/on-push-event.js";
import { onReviewEvent } from "./app/on-review-event.js";
import { opsRoutes } from "./app/ops-routes.js";

/** Remedy as a Probot app. Wiring only: every handler is one call into src/app/. */
const remedy: ApplicationFunction = (app, options) => {
  const runtime = createRuntime(app, options);
  app.on(["issues.opened", "issues.labeled"], (context) => onIssueEvent(runtime, context));
  app.on(
    ["issues.labeled", "issues.unlabeled", "pull_request.labeled", "pull_request.unlabeled"],
    (context) => onLabelEvent(runtime, context),
  );
  app.on("issues.closed", (context) => onIssueClosedEvent(runtime, context));
  app.on("issue_comment.created", (context) => onCommentEvent(runtime, context));
  app.on("pull_request.closed", (context) => onPullRequestClosed(runtime, context));
  app.on(["pull_request.synchronize", "pull_request.edited", "pull_request.reopened"], (context) =>
    onPullRequestEvent(runtime, context),
  );
  app.on(["pull_request_review.submitted", "pull_request_review.dismissed"], (context) =>
    onReviewEvent(runtime, context),
  );
  app.on("check_run.rerequested", (context) => onCheckRunEvent(runtime, context));
  app.on("push", (context) => onPushEvent(runtime, context));
  app.on(["installation.created", "installation_repositories.added"], (context) =>
    onInstallationEvent(runtime, context),
  );
  options?.addHandler?.(alertRoute(runtime));
  options?.addHandler?.(opsRoutes(runtime));
  void runtime.start();
};

export default remedy;
