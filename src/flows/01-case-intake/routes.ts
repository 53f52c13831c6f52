import type { TgEventRoute } from '../../sync/tgEventRoute.ts';
import { intakeCommunityCase } from './intakeHandler.ts';

/** `case.opened`: the partner's new case is read and decided (flow 1). Other case events reach the intake through flows 2 and 3. */
export const caseOpenedRoute: TgEventRoute = (ctx, ev) =>
  ev.type === 'case.opened' ? intakeCommunityCase(ctx, ev.data.id) : null;
