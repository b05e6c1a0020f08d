/** Shorthands for calling the submission's top-level functions from a check. */
import { encodeValue } from '../protocol/encode';
import type { Argument, TopLevelFunction } from '../protocol/requests';
import type { Answer } from '../runner';
import type { CheckContext } from '../types';

export function callFunction(context: CheckContext, fn: TopLevelFunction, args: Argument[]): Promise<Answer> {
  return context.runner.call({ op: 'call', fn, args });
}

/** A literal argument. */
export const literal = (value: unknown): Argument => ({ value: encodeValue(value) });
