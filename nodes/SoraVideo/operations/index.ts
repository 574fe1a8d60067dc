/**
 * The registry of the Sora Video node's operations: one line per operation. The Operation list and its node-panel
 * actions, the subtitle, each operation's fields, the router, which providers offer an operation and the errors
 * when one does not are all derived from it. Adding an operation = one file in this folder + one line here.
 */
import { create } from './create';
import { deleteVideo } from './delete';
import { downloadContent } from './downloadContent';
import { extend } from './extend';
import { generate } from './generate';
import { getStatus } from './getStatus';
import { list } from './list';
import type { Operation } from './operation';
import { remix } from './remix';

export const OPERATIONS = [create, generate, getStatus, downloadContent, list, remix, extend, deleteVideo] as const;

export type OperationName = (typeof OPERATIONS)[number]['name'];

/** What workflows created by the node panel's first entry get, and what a node saved without `operation` runs. */
export const DEFAULT_OPERATION: OperationName = 'getStatus';

export type AnyOperation = Operation<string>;
