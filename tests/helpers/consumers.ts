/**
 * The real readers of the report formats, as test helpers: Jenkins' junit-10.xsd through xmllint,
 * xml-js and xml2js (the JUnit parsers of action-junit-report and dorny/test-reporter),
 * markdown-it (CommonMark + GFM tables), csv-parse, parse5 (HTML5), ajv with a JSON Schema
 * written from Gradescope's specification, and a copy of the GitHub Classroom reporter's
 * arithmetic (./classroom-reporter).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import MarkdownIt from 'markdown-it';
import { parse as parseHtml } from 'parse5';
import type { DefaultTreeAdapterMap } from 'parse5';

const SCHEMAS = join(__dirname, '..', 'fixtures', 'schemas');

/** Whether xmllint (Debian's libxml2-utils; .ci/install-system-deps.sh installs it) can run here. */
export const haveXmllint = !spawnSync('xmllint', ['--version']).error;

/** xmllint's verdict on a JUnit file against Jenkins' junit-10.xsd. */
export function validateJunitXsd(xml: string): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'junit-xsd-'));
  try {
    writeFileSync(join(dir, 'junit.xml'), xml);
    const run = spawnSync(
      'xmllint',
      ['--noout', '--nonet', '--schema', join(SCHEMAS, 'junit-10.xsd'), join(dir, 'junit.xml')],
      { encoding: 'utf8' },
    );
    return { status: run.status, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A validator for Gradescope's results.json. */
export function gradescopeValidator() {
  const schema = JSON.parse(readFileSync(join(SCHEMAS, 'gradescope-results.schema.json'), 'utf8')) as object;
  return new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema);
}

export const CONTROL_CHARACTER = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

const markdownIt = new MarkdownIt({ html: true });
type MdToken = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];

/** Tables of a Markdown text, as rows of cell texts (header row first). */
export function markdownTables(markdown: string): string[][][] {
  const cellText = (token: MdToken) =>
    (token.children ?? [])
      .map((child) => (child.type === 'text' || child.type === 'code_inline' ? child.content : ''))
      .join('');
  const found: string[][][] = [];
  let rows: string[][] | undefined;
  for (const token of markdownIt.parse(markdown, {})) {
    if (token.type === 'table_open') rows = [];
    else if (token.type === 'table_close') {
      found.push(rows!);
      rows = undefined;
    } else if (rows && token.type === 'tr_open') rows.push([]);
    else if (rows && token.type === 'inline') rows[rows.length - 1].push(cellText(token));
  }
  return found;
}

/** What is wrong with a Markdown text a student or TA reads (and a CI log prints): raw HTML, control characters, workflow commands. */
export function markdownProblems(markdown: string): string[] {
  const tokens = markdownIt.parse(markdown, {});
  const problems = tokens
    .flatMap((token) => [token, ...(token.children ?? [])])
    .filter((token) => token.type === 'html_inline' || token.type === 'html_block')
    .map((token) => `raw HTML: ${token.content}`);
  if (/<(img|script)\b/i.test(markdownIt.render(markdown))) problems.push('renders an img or script element');
  if (CONTROL_CHARACTER.test(markdown)) problems.push('control character');
  problems.push(
    ...markdown
      .split('\n')
      .filter((line) => /^\s*::/.test(line))
      .map((line) => `workflow command: ${line}`),
  );
  return problems;
}

/** What an HTML5 parser finds wrong with a page: parse errors, and elements or handlers that no report writes. */
export function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  const document = parseHtml(html, {
    onParseError: (error) => problems.push(`parse error ${error.code} at ${error.startLine}:${error.startCol}`),
  });
  type Node = DefaultTreeAdapterMap['node'];
  const visit = (node: Node): void => {
    if ('tagName' in node) {
      const element = node;
      if (['img', 'script', 'iframe', 'object', 'embed'].includes(element.tagName))
        problems.push(`<${element.tagName}> element`);
      for (const attr of element.attrs) if (/^on/i.test(attr.name)) problems.push(`${element.tagName}@${attr.name}`);
    }
    if ('childNodes' in node) for (const child of node.childNodes as Node[]) visit(child);
  };
  visit(document);
  return problems;
}
