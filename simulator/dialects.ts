/** The provider dialects the simulator speaks; its own module so simulator.ts and lifecycle.ts both import it, not each other. */
export type Dialect = 'opeai' | 'wisdomgate' | 'ezmodel' | 'voidai' | 'newapi' | 'openai';

export const DIALECTS: Dialect[] = ['opeai', 'wisdomgate', 'ezmodel', 'voidai', 'newapi', 'openai'];
