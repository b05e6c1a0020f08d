/**
 * The arithmetic and log output of classroom-resources/autograding-grading-reporter (tag v1, its
 * bundled dist/main.js: main, ConsoleResults, AggregateResults, test-helpers and NotifyClassroom),
 * rewritten here without @actions/core so that a test can run it on the grader's files:
 *
 *   - runners: the `runners` input split on ","; each read from env `<RUNNER>_RESULTS` (base64 JSON);
 *   - per runner, the console prints each test (`✅ name` / `❌ name`, or `Error: message` for an
 *     error) and `Total points for <runner>: <score.toFixed(2)>/<max_score>`, with
 *     score = passed tests ÷ tests × max_score (getTestScore);
 *   - the table: one row per runner [name, score, max_score] and a total row (sums of those);
 *   - the notice `::notice title=Autograding report::{"totalPoints":…,"maxPoints":…}`: the sum of
 *     every test's `score` and of `max_score`, over runners whose max_score is not 0.
 */
interface Test {
  name: string;
  status: string;
  score: number;
  message?: string;
  line_no?: number;
  test_code?: string;
}
interface RunnerResult {
  status: string;
  max_score: number;
  tests: Test[];
}

export interface ReporterRun {
  /** Every line the reporter writes to the job log (console.log lines split on newlines). */
  log: string[];
  /** The table's rows: runner, score, max score. */
  table: Array<{ runner: string; score: number; maxScore: number }>;
  tableTotal: { score: number; maxScore: number };
  /** The grade GitHub Classroom records. */
  notice: { totalPoints: number; maxPoints: number } | undefined;
  /** What core.setFailed would say. */
  failed?: string;
}

const getMaxScoreForTest = (results: RunnerResult) => results.max_score || 0;
const getTestScore = (results: RunnerResult) => {
  const passed = results.tests.reduce((acc, { status }) => (status === 'pass' ? acc + 1 : acc), 0);
  return (passed / results.tests.length) * (getMaxScoreForTest(results) || 0);
};

export function runReporter(runnersInput: string, env: Record<string, string | undefined>): ReporterRun {
  const log: string[] = [];
  const print = (text: string) => log.push(...text.split('\n'));
  const runnerResults = runnersInput.split(',').map((runner) => {
    const encoded = env[`${runner.trim().toUpperCase()}_RESULTS`];
    if (encoded === undefined) throw new Error(`The "${runner}" runner has no ${runner.trim().toUpperCase()}_RESULTS`);
    return { runner, results: JSON.parse(Buffer.from(encoded, 'base64').toString('utf-8')) as RunnerResult };
  });

  let grandPassed = 0;
  let grandTests = 0;
  runnerResults.forEach(({ runner, results }, index) => {
    const maxScore = getMaxScoreForTest(results);
    const score = getTestScore(results);
    if (index > 0) print('🚀🚀🚀\n');
    print(`🔄 Processing: ${runner}`);
    let passed = 0;
    for (const test of results.tests) {
      if (test.status === 'pass') {
        passed++;
        print(`✅ ${test.name}${test.line_no ? ` - line ${test.line_no}` : ''}`);
      } else if (test.status === 'error') print(`Error: ${test.message || `Failed to run test '${test.name}'`}\n`);
      else print(`❌ ${test.name}${test.line_no ? ` - line ${test.line_no}` : ''}`);
      if (test.test_code) print(`Test code:\n${test.test_code}\n`);
    }
    grandPassed += passed;
    grandTests += results.tests.length;
    if (maxScore !== 0) print(`Total points for ${runner}: ${score.toFixed(2)}/${maxScore}\n`);
  });
  const table = runnerResults.map(({ runner, results }) => ({
    runner: runner.trim(),
    score: getTestScore(results),
    maxScore: getMaxScoreForTest(results),
  }));
  const tableTotal = {
    score: table.reduce((acc, row) => acc + row.score, 0),
    maxScore: table.reduce((acc, row) => acc + row.maxScore, 0),
  };
  for (const row of table) print(`│ ${row.runner} │ ${row.score} │ ${row.maxScore} │`);
  print(`│ Total: │ ${tableTotal.score} │ ${tableTotal.maxScore} │`);
  print(`🏆 Grand total tests passed: ${grandPassed}/${grandTests}\n`);

  const totals = runnerResults.reduce(
    (acc, { results }) => {
      if (!results.max_score) return acc;
      acc.maxPoints += results.max_score;
      for (const { score } of results.tests) acc.totalPoints += score;
      return acc;
    },
    { totalPoints: 0, maxPoints: 0 },
  );
  const notice = totals.maxPoints ? totals : undefined;
  if (notice) {
    print(`::notice title=Autograding complete::Points ${notice.totalPoints}/${notice.maxPoints}`);
    print(`::notice title=Autograding report::${JSON.stringify(notice)}`);
  }
  const failed = runnerResults.some((r) => r.results.status === 'fail')
    ? 'Some tests failed.'
    : runnerResults.some((r) => r.results.status === 'error')
      ? 'Some tests errored.'
      : undefined;
  return { log, table, tableTotal, notice, failed };
}
