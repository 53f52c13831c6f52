import { ok, type Result } from '../../core/result.ts';
import { seg, taskAddress, type TaskRef } from './taskRef.ts';
import type { ResourceContext } from './tasks.ts';
import { invalidInput } from './transport.ts';

/** Which way a dependency points: this task waits for `dependsOn`, or `dependencyOf` waits for this task. */
export type Dependency = { dependsOn: string } | { dependencyOf: string };

/** POST /v2/task/{task_id}/dependency {depends_on} | {dependency_of}. */
export async function addDependency(c: ResourceContext, ref: TaskRef, dep: Dependency): Promise<Result<void>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('addDependency', a);
  // The OpenAPI file misspells the second key `depedency_of`; ClickUp's API and docs use `dependency_of`.
  const json = 'dependsOn' in dep ? { depends_on: dep.dependsOn } : { dependency_of: dep.dependencyOf };
  const r = await c.t.request<unknown>({ method: 'POST', path: `${a.path}/dependency`, query: a.query, json });
  return r.ok ? ok(undefined) : r;
}

/** DELETE /v2/task/{task_id}/dependency?depends_on= | ?dependency_of= */
export async function deleteDependency(c: ResourceContext, ref: TaskRef, dep: Dependency): Promise<Result<void>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('deleteDependency', a);
  const q = 'dependsOn' in dep ? { depends_on: dep.dependsOn } : { dependency_of: dep.dependencyOf };
  const r = await c.t.request<unknown>({ method: 'DELETE', path: `${a.path}/dependency`, query: { ...a.query, ...q } });
  return r.ok ? ok(undefined) : r;
}

/** POST /v2/task/{task_id}/link/{links_to}: a plain (non-blocking) link between two tasks. */
export async function addTaskLink(c: ResourceContext, ref: TaskRef, linksTo: string): Promise<Result<void>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('addTaskLink', a);
  const r = await c.t.request<unknown>({ method: 'POST', path: `${a.path}/link/${seg(linksTo)}`, query: a.query });
  return r.ok ? ok(undefined) : r;
}

/** DELETE /v2/task/{task_id}/link/{links_to} */
export async function deleteTaskLink(c: ResourceContext, ref: TaskRef, linksTo: string): Promise<Result<void>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('deleteTaskLink', a);
  const r = await c.t.request<unknown>({ method: 'DELETE', path: `${a.path}/link/${seg(linksTo)}`, query: a.query });
  return r.ok ? ok(undefined) : r;
}
