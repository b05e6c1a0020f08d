/**
 * The lab definition's signatures as TypeScript text, for the grader's type check
 * (grader/compile/typecheck.ts), which assigns each of a submission's exports to its type.
 */
import { EXPORT_NAMES, LAB, RNN_CLASS } from './definition';
import type { Param, Signature } from './definition';

/**
 * The name the type check gives the submission's RNN where it is an argument (its own class, so
 * doTrainingStep may take what its own constructor builds), and where it is a result (anything
 * with the contract's members).
 */
const AS_ARGUMENT = 'StudentRnn';
const AS_RESULT = 'RnnContract';

const withRnn = (type: string, as: string) => type.replace(/\bRNN\b/g, as);
const paramList = (params: readonly Param[]) =>
  params.map((p) => `${p.name}${p.optional ? '?' : ''}: ${withRnn(p.type, AS_ARGUMENT)}`).join(', ');
const functionType = (signature: Signature) =>
  `(${paramList(signature.params)}) => ${withRnn(signature.returns.type, AS_RESULT)}`;

/** `interface RnnContract { … }`: the class's fields on one line, one line per method. */
export function rnnContractInterface(): string[] {
  const fields = Object.entries(RNN_CLASS.fields).map(([name, field]) => `${name}: ${field.type};`);
  const methods = Object.entries(RNN_CLASS.methods).map(
    ([name, method]) => `  ${name}(${paramList(method.params)}): ${withRnn(method.returns.type, AS_RESULT)};`,
  );
  return [`interface ${AS_RESULT} {`, `  ${fields.join(' ')}`, ...methods, `}`];
}

/** [export name, its type], in the order of the lab definition. */
export function exportTypes(): Array<[string, string]> {
  return EXPORT_NAMES.map((name) => {
    const entry = LAB[name];
    if (entry.kind === 'function') return [name, functionType(entry)];
    return [name, `new (${paramList(entry.constructorParams)}) => ${AS_RESULT}`];
  });
}
