// Prints the public checks' summary after jest's own report: points per function, what is wrong
// and the likely mistake, and the training loss curve as a small text chart.
const fs = require('fs');
const path = require('path');

const MARK = { passed: 'ok  ', failed: 'FAIL', error: 'ERR ', timeout: 'TIME', memory: 'MEM ' };

function chart(values, width = 60, height = 8) {
  if (!values || values.length === 0) return [];
  const step = Math.max(1, Math.ceil(values.length / width));
  const columns = [];
  for (let i = 0; i < values.length; i += step) columns.push(values.slice(i, i + step).reduce((a, b) => a + b, 0) / Math.min(step, values.length - i));
  const max = Math.max(...columns);
  const min = Math.min(...columns, 0);
  const rows = [];
  for (let level = height - 1; level >= 0; level--) {
    const threshold = min + ((max - min) * (level + 0.5)) / height;
    const label = level === height - 1 ? max.toFixed(2).padStart(6) : level === 0 ? min.toFixed(2).padStart(6) : '      ';
    rows.push(`${label} |${columns.map((value) => (value >= threshold ? '█' : ' ')).join('')}`);
  }
  rows.push(`       +${'-'.repeat(columns.length)} step ${values.length}`);
  return rows;
}

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete() {
    const file = path.join(this.rootDir, '.public-results.json');
    if (!fs.existsSync(file)) return;
    const { points, results } = JSON.parse(fs.readFileSync(file, 'utf8'));
    const byTarget = new Map();
    for (const result of results) {
      const entry = byTarget.get(result.target) || { earned: 0, max: 0, results: [] };
      entry.max += points[result.id];
      if (result.status === 'passed') entry.earned += points[result.id];
      entry.results.push(result);
      byTarget.set(result.target, entry);
    }
    const lines = ['', 'Public checks of the lab — summary', ''];
    let earned = 0;
    let max = 0;
    for (const [target, entry] of byTarget) {
      earned += entry.earned;
      max += entry.max;
      lines.push(`${entry.earned === entry.max ? 'ok  ' : '    '} ${target.padEnd(22)} ${String(entry.earned).padStart(3)} / ${entry.max} points`);
      for (const result of entry.results.filter((r) => r.status !== 'passed')) {
        lines.push(`     ${MARK[result.status] || result.status} ${result.id}: ${result.message.split('\n')[0]}`);
        const likely = result.message.split('\n').find((line) => line.startsWith('Likely mistake:'));
        if (likely) lines.push(`          ${likely}`);
        if (result.replay) lines.push(`          replay: CHECK_REPLAY="${result.id}:${result.replay.seed}:${result.replay.path}" npm test`);
      }
    }
    const training = results.find((r) => r.id === 'train.converges' && r.curve);
    if (training) lines.push('', 'Training loss (trainRnn on the real data):', ...chart(training.curve));
    lines.push('', `Public checks: ${earned} / ${max} points.`);
    lines.push('These are the public checks only. When your work is graded, hidden checks also run (random cases,');
    lines.push('edge cases, the training step), so the final grade can differ from this number.');
    if (earned < max) lines.push('Each failing check above says what is wrong and where; start with the first one of a function.');
    console.log(lines.join('\n'));
  }
}

module.exports = SummaryReporter;
