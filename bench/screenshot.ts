/**
 * Looks at report.html in a real browser: grades a few samples with `--format json,html` (or takes
 * an existing report folder) and screenshots the page with headless Chromium:
 *
 *   docs/report-screenshot.png             the top of the page (class summary), 1280 × 2000
 *   docs/report-screenshot-submission.png  one submission's section (training charts, checks), 1280 × 1400
 *
 *   npx tsx bench/screenshot.ts [--data FILE] [--report DIR] [--samples a,b,c] [--out-dir docs]
 *
 * Needs Chromium (Debian: apt-get install -y chromium; or set CHROMIUM=/path/to/chrome). Not a CI
 * test: tests/grader/html.test.ts checks the HTML itself without a browser.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GradeReport } from '../grader/report-types';
import { fileNameFor } from '../grader/reports/common';

const PROJECT = resolve(__dirname, '..');
const DEFAULT_SAMPLES = [
  'correct-loops',
  'notebook-port',
  'grad-b-skip-first',
  'training-step-sum',
  'forward-no-bias',
  'skeleton',
  'broken-syntax-error',
];

function findChromium(): string {
  const candidates = [
    process.env.CHROMIUM,
    'chromium',
    'chromium-browser',
    'google-chrome',
    'google-chrome-stable',
  ].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    try {
      return execFileSync('sh', ['-c', 'command -v "$1"', 'sh', candidate], { encoding: 'utf8' }).trim() || candidate;
    } catch {
      // not installed under this name
    }
  }
  throw new Error('Chromium not found: apt-get install -y chromium (Debian), or set CHROMIUM=/path/to/chrome');
}

/** Headless Chromium with nothing that talks to the network or keeps state. */
function screenshot(
  chromium: string,
  url: string,
  png: string,
  width: number,
  height: number,
  extra: string[] = [],
): void {
  const profile = mkdtempSync(join(tmpdir(), 'rnn-screenshot-profile-'));
  try {
    const result = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        `--screenshot=${png}`,
        `--window-size=${width},${height}`,
        ...extra,
        url,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (result.status !== 0 || !existsSync(png))
      throw new Error(
        `chromium failed (${result.status ?? result.signal}): ${(result.stderr ?? '')
          .split('\n')
          .filter((l) => !/dbus/.test(l))
          .join('\n')
          .slice(-1500)}`,
      );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const outDir = resolve(flag('--out-dir') ?? join(PROJECT, 'docs'));
  const chromium = findChromium();
  const work = mkdtempSync(join(tmpdir(), 'rnn-screenshot-'));
  try {
    let reportDir = flag('--report');
    if (!reportDir) {
      reportDir = join(work, 'report');
      const samples = (flag('--samples') ?? DEFAULT_SAMPLES.join(','))
        .split(',')
        .map((name) => join(PROJECT, 'submissions', name.trim()));
      const data = flag('--data');
      console.log(`grading ${samples.length} samples into ${reportDir} …`);
      const graded = spawnSync(
        'npx',
        [
          'tsx',
          'grader/cli.ts',
          ...samples,
          '--format',
          'json,html',
          '--out',
          reportDir,
          ...(data ? ['--data', data] : []),
        ],
        { cwd: PROJECT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
      );
      if (graded.status !== 0)
        throw new Error(`the grader exited with ${graded.status}:\n${graded.stderr.slice(-2000)}`);
    }
    const html = resolve(reportDir, 'report.html');
    if (!existsSync(html)) throw new Error(`${html} does not exist (grade with --format html)`);
    mkdirSync(outDir, { recursive: true });

    const top = join(outDir, 'report-screenshot.png');
    screenshot(chromium, pathToFileURL(html).href, top, 1280, 2000);
    console.log(`${top}: ${statSync(top).size} bytes`);

    // One submission's section: the first graded one with a test scatter, preferably one that lost points.
    const report = JSON.parse(readFileSync(resolve(reportDir, 'report.json'), 'utf8')) as GradeReport;
    const withCharts = report.submissions.filter((s) => s.training?.testPoints);
    const shown = withCharts.find((s) => s.score < s.maxScore) ?? withCharts[0];
    if (!shown) {
      console.log('no submission has training charts: no second screenshot');
      return;
    }
    // The page scrolled to that section inside an iframe (headless --screenshot does not scroll to #anchors).
    const wrapper = join(work, 'section.html');
    writeFileSync(
      wrapper,
      `<!DOCTYPE html><html><body style="margin:0;overflow:hidden">
<iframe id="f" src="${pathToFileURL(html).href}" style="border:0;width:1280px;height:1400px"></iframe>
<script>
const f = document.getElementById('f');
f.addEventListener('load', () => f.contentDocument.getElementById(${JSON.stringify(`sub-${fileNameFor(shown.id)}`)}).scrollIntoView());
</script></body></html>\n`,
    );
    const section = join(outDir, 'report-screenshot-submission.png');
    screenshot(chromium, pathToFileURL(wrapper).href, section, 1280, 1400, [
      '--allow-file-access-from-files',
      '--virtual-time-budget=5000',
    ]);
    console.log(`${section}: ${statSync(section).size} bytes (${shown.id})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
