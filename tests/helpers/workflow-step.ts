/**
 * One step of a GitHub Actions job as the workflow tests read it from parsed YAML: only the fields
 * they look at, all optional (a step has `uses` or `run`, and the rest as it needs).
 */
export interface WorkflowStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'working-directory'?: string;
}
