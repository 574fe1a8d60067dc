/** A fresh provider simulator per test, on 127.0.0.1, stopped afterwards; n8n stores binaries on disk. */
import { ProviderSimulator } from '../../simulator/simulator';
import { useBinaryMode } from './engine';
import { KEY } from './sora';

export function useSimulator(): { readonly current: ProviderSimulator } {
	const holder: { current: ProviderSimulator } = { current: undefined as unknown as ProviderSimulator };
	beforeAll(async () => {
		await useBinaryMode('filesystem');
	});
	beforeEach(async () => {
		holder.current = new ProviderSimulator({ apiKey: KEY });
		await holder.current.start();
	});
	afterEach(async () => {
		await holder.current.stop();
	});
	return holder;
}
