import type { Reporter, RunnerTask, RunnerTestFile } from 'vitest/node'

/** Ends the run with one plain `tests: N passed, N failed` line that CI logs can read. */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []) {
    const tests = files.flatMap(collectTests)
    const count = (state: string) => tests.filter((test) => test.result?.state === state).length
    const failedFiles = files.filter(
      (file) => file.result?.state === 'fail' && file.tasks.length === 0,
    ).length
    const skipped = tests.filter((test) => test.mode === 'skip' || test.mode === 'todo').length
    const line = `tests: ${count('pass')} passed, ${count('fail') + failedFiles} failed`
    console.log(skipped > 0 ? `${line}, ${skipped} skipped` : line)
  }
}

function collectTests(task: RunnerTask): RunnerTask[] {
  if (task.type === 'test') return [task]
  return 'tasks' in task ? task.tasks.flatMap(collectTests) : []
}
