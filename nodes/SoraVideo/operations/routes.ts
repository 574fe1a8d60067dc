/**
 * The provider routes an operation can need. A provider declares which it serves (`serves.capabilities` in
 * providers.ts); an operation declares the one it needs (`needs`); problems.ts words what a missing one means.
 */
export const CAPABILITIES = ['readTask', 'download', 'list', 'create', 'remix', 'extend', 'delete'] as const;

export type Capability = (typeof CAPABILITIES)[number];

/** Each capability's route, as errors name it when a gateway answers that it has none. */
export const ROUTES: Record<Capability, string> = {
	readTask: 'GET /videos/{id}',
	download: 'GET /videos/{id}/content',
	list: 'GET /videos',
	create: 'POST /videos',
	remix: 'POST /videos/{id}/remix',
	extend: 'POST /videos/extensions',
	delete: 'DELETE /videos/{id}',
};
