import { describe, expect, it } from 'vitest';
import type { JobRow } from '../../store/ops/claimJobs.ts';
import { timelineEntriesFor } from './timelineRecorder.ts';

function job(over: Partial<JobRow>): JobRow {
  return {
    id: 7,
    kind: 'clickup.create_task',
    key: 'k',
    queue_key: null,
    payload: '{}',
    state: 'running',
    run_at: 0,
    attempts: 1,
    max_attempts: 10,
    locked_by: 'w',
    locked_until: 0,
    last_error: null,
    created_at: 100,
    updated_at: 100,
    ...over,
  };
}

describe('timelineEntriesFor', () => {
  it("an event's first run shows the event it carried (type and id from the payload), then the run", () => {
    const out = timelineEntriesFor(
      job({ kind: 'tg.event', queue_key: 'case:C-1', payload: '{"type":"case.opened","id":"evt-1"}' }),
      'done',
      12,
      undefined,
      500,
    );
    expect(out).toEqual([
      {
        caseId: 'C-1',
        at: 100,
        kind: 'event',
        detail: 'received Trading Grid case.opened (evt-1)',
        status: 'info',
        jobId: 7,
      },
      {
        caseId: 'C-1',
        at: 500,
        kind: 'decision',
        detail: 'Trading Grid event processed — attempt 1/10',
        status: 'done',
        durationMs: 12,
        jobId: 7,
      },
    ]);
  });

  it('a ClickUp event names its `event` field; a later attempt shows only the run', () => {
    const cu = job({ kind: 'cu.event', queue_key: 'case:C-2', payload: '{"event":"taskStatusUpdated"}' });
    expect(timelineEntriesFor(cu, 'done', 1, undefined, 9)[0]!.detail).toBe('received ClickUp taskStatusUpdated');
    expect(timelineEntriesFor({ ...cu, attempts: 2 }, 'retry', 1, 'boom\nstack', 9)).toEqual([
      {
        caseId: 'C-2',
        at: 9,
        kind: 'retry',
        detail: 'ClickUp change processed — attempt 2/10: boom',
        status: 'retry',
        durationMs: 1,
        jobId: 7,
      },
    ]);
  });

  it.each([
    ['a case queue key names the case (the payload is not read)', 'case:C-3', 'not json', 'C-3'],
    ['without one, the payload caseId does', 'task:T-1', '{"caseId":"C-4"}', 'C-4'],
    ['without one and with no caseId, no case', null, '{"other":1}', null],
    ['a payload that is not JSON and no case queue key: no case', null, 'not json', null],
  ])('%s', (_what, queueKey, payload, caseId) => {
    const [entry] = timelineEntriesFor(job({ queue_key: queueKey, payload }), 'done', 3, undefined, 50);
    expect(entry).toMatchObject({ caseId, kind: 'call', detail: 'ClickUp: create task — attempt 1/10' });
  });
});
