import { describe, expect, it } from 'vitest';
import { renderTemplate, TemplateError } from './template.ts';

describe('e-mail templates', () => {
  it.each([
    ['Case {{caseId}} is {{status}}', { caseId: 'C-1', status: 'resolved' }, false, 'Case C-1 is resolved'],
    [
      '<b>{{note}}</b>',
      { note: '<script>x</script> & "y"' },
      true,
      '<b>&lt;script&gt;x&lt;/script&gt; &amp; &quot;y&quot;</b>',
    ],
    ['{{{html}}}', { html: '<i>ok</i>' }, true, '<i>ok</i>'],
    ['{{note}}', { note: '<kept in text>' }, false, '<kept in text>'],
    ['{{#note}}Note: {{note}}{{/note}}{{^note}}no note{{/note}}', { note: '' }, false, 'no note'],
    ['{{#note}}Note: {{note}}{{/note}}', { note: 'hi' }, false, 'Note: hi'],
    [
      '{{#rows}}[{{name}}={{value}}]{{/rows}}',
      {
        rows: [
          { name: 'a', value: 1 },
          { name: 'b', value: 0 },
        ],
      },
      false,
      '[a=1][b=0]',
    ],
    ['{{#items}}{{.}};{{/items}}', { items: ['x', 'y'] }, false, 'x;y;'],
    ['{{partner.name}} / {{missing}}', { partner: { name: 'Acme' } }, false, 'Acme / '],
    ['{{#a}}{{#a}}in{{/a}}{{/a}}', { a: true }, false, 'in'],
  ])('%s renders as expected', (tpl, data, html, expected) => {
    expect(renderTemplate(tpl, data, { html })).toBe(expected);
  });

  it('an unclosed section is a clear error naming the template', () => {
    expect(() => renderTemplate('{{#x}}open', {}, { html: false, name: 'case_status.txt' })).toThrow(
      new TemplateError('case_status.txt: {{#x}} is never closed with {{/x}}'),
    );
  });
});
