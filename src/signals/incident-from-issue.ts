import { withoutTimeline } from "../proposal/render-timeline.js";
import { incidentKey, type Incident } from "./incident.js";
import { issueFormFields } from "./issue-form-fields.js";
import { canAct, type Role } from "./role.js";

export interface IssueSignal {
  number: number | null;
  title: string;
  body: string;
  author: string;
  role: Role;
}

/**
 * An incident issue written by a person. Its text is trusted for values only when its author may
 * change the repository; otherwise it is read as data like any alert annotation.
 */
export function incidentFromIssue(repo: string, issue: IssueSignal): Incident {
  // Remedy's timeline section is Remedy's words, not the author's: it is never read as the request.
  const body = withoutTimeline(issue.body);
  const text = `${issue.title}\n${body}`;
  const fields = issueFormFields(body);
  return {
    key:
      issue.number === null
        ? incidentKey(repo, "issue-text", text)
        : incidentKey(repo, "issue", String(issue.number)),
    source: "issue",
    status: "firing",
    title: issue.title,
    text,
    trustedText: canAct(issue.role) ? text : "",
    labels: {},
    ...(Object.keys(fields).length > 0 ? { fields } : {}),
    alertnames: [],
    issue: issue.number,
    author: { login: issue.author, role: issue.role },
    truncatedAlerts: 0,
    startsAt: null,
  };
}
