/** The DPoP (RFC 9449) and mTLS (RFC 8705) attack catalogue: data, run by `dpop-run.ts` through core and each adapter. */
import { bindingCases } from './cases-dpop-binding.js';
import { proofCases } from './cases-dpop-proof.js';
import type { DPoPCase } from './dpop-context.js';

export const dpopCases: DPoPCase[] = [...proofCases, ...bindingCases];
