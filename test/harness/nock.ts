/**
 * nock for one test file: no real network while it runs, and Node's http restored afterwards,
 * because jest workers share core modules and a later file may need real sockets.
 */
import nock from 'nock';

export function useNock(): void {
	beforeAll(() => {
		if (!nock.isActive()) nock.activate();
		nock.disableNetConnect();
	});
	afterEach(() => {
		nock.cleanAll();
	});
	afterAll(() => {
		nock.enableNetConnect();
		nock.restore();
	});
}
