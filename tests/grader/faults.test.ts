/**
 * Typed faults: whose fault a verdict is comes from the kind of failure, never from its message.
 */
import { outcomeOfThrow } from '../../checks/battery';
import { CATALOGUE } from '../../checks/catalogue';
import { ExecutionAborted, StudentError } from '../../checks/runner';
import { asGraderFault, GraderFault, graderFaultMessage, TranspilerFault, WatchdogFault } from '../../grader/faults';

const check = CATALOGUE[0];

test("a check's own bug is the grader's fault; the submission's failures are its own", () => {
  expect(outcomeOfThrow(check, new TypeError('cannot read properties of undefined'))).toMatchObject({
    status: 'error',
    cause: 'grader',
  });
  // Even a message that looks like the submission's does not change whose fault it is.
  expect(outcomeOfThrow(check, new Error('rnn.ts threw RangeError')).cause).toBe('grader');
  expect(
    outcomeOfThrow(check, new StudentError('RangeError', 'Internal grader error: fake', false)).cause,
  ).toBeUndefined();
  expect(
    outcomeOfThrow(check, new ExecutionAborted({ ok: false, failure: 'crashed', message: 'exit code 1' })).cause,
  ).toBeUndefined();
});

test('every escaped throw becomes one GraderFault; the specific ones keep their class', () => {
  const plain = asGraderFault(new Error('disk full'));
  expect(plain).toBeInstanceOf(GraderFault);
  expect(plain.cause).toBeInstanceOf(Error);
  expect(graderFaultMessage(plain)).toBe(
    "Internal grader error (not the submission's fault; please tell the course staff): disk full",
  );
  const transpiler = new TranspilerFault('the transpiler (esbuild) stopped');
  expect(asGraderFault(transpiler)).toBe(transpiler);
  expect([transpiler.name, new WatchdogFault('x').name]).toEqual(['TranspilerFault', 'WatchdogFault']);
  expect(asGraderFault('a string').message).toBe('a string');
});
