/**
 * Runs a credential type's `test` the way n8n 2.41's credential tester does (`CredentialsTester.runRequestTest`
 * in the n8n package): a temporary node whose one property routes the test request, run by n8n-core's
 * RoutingNode, authenticated by the credential type's own `authenticate`, and the outcome turned into the
 * tester's `{ status, message }` (its `responseCode` rules, else the HTTP status text; on success its
 * `responseSuccessBody` rules: lodash `get(json, key) === value` on the first item's json).
 */
import type { ICredentialDataDecryptedObject, ICredentialTestRequest, INode, INodeType, INodeTypes } from 'n8n-workflow';
import { createEmptyRunExecutionData, Workflow } from 'n8n-workflow';
import { ExecuteContext, RoutingNode } from 'n8n-core';

import { additionalDataFor, loadPackage, TestCredentialsHelper } from './engine';

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

interface TesterError {
	message: string;
	cause?: { code?: string; response?: { status: number; statusText?: string } };
}

/** `request` replaces the credential type's own test request (to show what n8n does without our guard). */
export async function testCredential(
	typeName: string,
	data: ICredentialDataDecryptedObject,
	request?: ICredentialTestRequest['request'],
): Promise<CredentialTestResult> {
	const loader = await loadPackage();
	const test = loader.credentialTypes[typeName].type.test as ICredentialTestRequest;
	// The tester borrows a node type (n8n-nodes-base.noOp for credentials with their own `test`) and swaps its properties.
	const nodeType: INodeType = {
		description: {
			displayName: 'No Operation',
			name: 'n8n-nodes-base.noOp',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: typeName, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request: request ?? test.request } }],
		},
	};
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [typeName]: { id: 'cred', name: typeName } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = additionalDataFor(new TestCredentialsHelper(loader, { [typeName]: data }), 'credential-test');
	const context = new ExecuteContext(workflow, node, additionalData, 'internal', createEmptyRunExecutionData(), 0, [], { main: [[{ json: {} }]] }, { node, data: {}, source: null }, []);
	const routingNode = new RoutingNode(context, nodeType, { id: 'cred', name: typeName, type: typeName, data });
	let output: Awaited<ReturnType<RoutingNode['runNode']>>;
	try {
		await workflow.expression.acquireIsolate();
		output = await routingNode.runNode();
	} catch (caught) {
		const error = caught as TesterError;
		const response = error.cause?.response;
		if (response) {
			const rule = (test.rules ?? []).find((candidate) => candidate.type === 'responseCode' && candidate.properties.value === response.status);
			if (rule) return { status: 'Error', message: String(rule.properties.message) };
			if (response.status < 199 || response.status > 299) return { status: 'Error', message: response.statusText || `Received HTTP status code: ${response.status}` };
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: String(error.message) };
	} finally {
		await workflow.expression.releaseIsolate();
	}
	const json: unknown = output?.[0]?.[0]?.json;
	for (const rule of test.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && valueAt(json, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: String(rule.properties.message) };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/** lodash's `get` for a dotted key, as the tester reads it (a string body has no such key). */
function valueAt(value: unknown, key: string): unknown {
	let current: unknown = value;
	for (const part of key.split('.')) {
		if (current === null || current === undefined || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[part];
	}
	return current;
}
