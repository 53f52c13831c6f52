import { z } from 'zod';
import { FILE_WAYS, type FlowSharing, type SharingRules } from '../core/sharing/rules.ts';

/**
 * `sharing:` the one place that decides what reaches a partner, per flow. Defaults: comments only with
 * the partner marker (`sync.partner_comment_prefix`, "@partner"), no file, the status only.
 */

const CommentRule = z.strictObject({
  share: z
    .enum(['none', 'prefix', 'all'])
    .default('prefix')
    .describe(
      'none: no comment; prefix: only comments starting with a marker; all: every comment (internal discussion included)',
    ),
  prefixes: z
    .array(z.string().trim().min(1))
    .min(1)
    .optional()
    .describe('markers such as "@partner" or "To partner:" (default: sync.partner_comment_prefix)'),
});

const FileRule = z
  .strictObject({
    ways: z
      .array(z.enum(FILE_WAYS))
      .default([])
      .describe('how a file is marked for the partner; any one is enough; empty: no file is sent'),
    name_prefix: z
      .string()
      .trim()
      .min(1)
      .nullable()
      .default(null)
      .describe('with name_prefix: files whose name starts with this'),
    checkbox_field: z.string().min(1).default('Share with partner').describe('with checkbox: the task checkbox field'),
  })
  .superRefine((f, ctx) => {
    if (f.ways.includes('name_prefix') && !f.name_prefix)
      ctx.addIssue({
        code: 'custom',
        path: ['name_prefix'],
        message: 'ways lists name_prefix: set name_prefix (e.g. "partner-")',
      });
  });

const FlowRule = (fields: string[]) =>
  z.strictObject({
    comments: CommentRule.prefault({}),
    files: FileRule.prefault({}),
    fields: z
      .array(z.string().min(1))
      .default(fields)
      .describe('task fields whose changes are written to the partner side'),
  });

export const SharingSection = z
  .strictObject({
    cases: FlowRule(['status']).prefault({}),
    /** The decision itself always goes; comments follow this rule, before and after the decision. */
    approvals: FlowRule([]).prefault({}),
  })
  .prefault({});
export type SharingSection = z.infer<typeof SharingSection>;

/** The flows whose sharing the config describes, in the order they are printed. */
export const SHARING_FLOWS = ['cases', 'approvals'] as const;

/** The rules as the pure decisions take them, with the comment marker defaulted from `sync.partner_comment_prefix`. */
export function sharingRulesOf(config: {
  sharing: SharingSection;
  sync: { partner_comment_prefix: string };
}): SharingRules {
  const out: Record<string, FlowSharing> = {};
  for (const flow of SHARING_FLOWS) {
    const s = config.sharing[flow];
    out[flow] = {
      comments: { share: s.comments.share, prefixes: s.comments.prefixes ?? [config.sync.partner_comment_prefix] },
      files: {
        ways: [...new Set(s.files.ways)],
        name_prefix: s.files.name_prefix,
        checkbox_field: s.files.checkbox_field,
      },
      fields: s.fields,
    };
  }
  return out;
}

/** Guards on what reaches partners. */
export const GuardsSection = z
  .strictObject({
    bulk_changes: z
      .strictObject({
        max_changes: z
          .number()
          .int()
          .min(0)
          .default(25)
          .describe(
            'partner-visible changes one ClickUp user may make within the window before the rest are held (0: no guard)',
          ),
        window_minutes: z.number().positive().max(1440).default(5),
      })
      .prefault({}),
  })
  .prefault({});
export type GuardsSection = z.infer<typeof GuardsSection>;
