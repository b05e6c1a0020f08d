/** Shorthands for calling the submission's top-level functions from a check. */
import { encodeValue } from '../protocol/encode';
import type { Argument, CallRequest, TopLevelFunction } from '../protocol/requests';
import type { Answer } from '../runner';
import type { CheckContext } from '../types';

export function callFunction(context: CheckContext, fn: TopLevelFunction, args: Argument[]): Promise<Answer> {
  return context.runner.call(functionRequest(fn, args));
}

/** The request callFunction sends (for requests known ahead, CaseSource.requests). */
export function functionRequest(fn: TopLevelFunction, args: Argument[]): CallRequest {
  return { op: 'call', fn, args };
}

/** A literal argument. */
export const literal = (value: unknown): Argument => ({ value: encodeValue(value) });
