/** The messages between the extension and the simulation view's script. */
import type { SimulationJson } from '../../server/src/format/simulate';

/** extension → webview */
export type ToWebview = { type: 'show'; simulation: SimulationJson };
/** webview → extension */
export type FromWebview = { type: 'ready' } | { type: 'reveal'; line: number };
