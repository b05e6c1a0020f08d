/**
 * `--format html` is accepted but not implemented yet: the CLI says so and writes the other
 * formats (report.md holds the same content). When it lands, renderHtml(report) goes here.
 */
export const HTML_AVAILABLE = false;

export const HTML_NOT_AVAILABLE = 'the HTML report is not available yet; the other formats are written (report.md has the same content)';
