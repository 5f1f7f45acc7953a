import { fileURLToPath } from 'node:url';
import type { GenerationConfigInput } from '../../src/core/config.ts';

/**
 * The tiny fixed-seed dataset whose bytes are pinned in test/golden/tiny. It spans a month boundary
 * and has incidents, so the layout, the plan and every signal are covered.
 */
export const GOLDEN_CONFIG: GenerationConfigInput = {
  startDate: '2024-06-30',
  days: 2,
  hostsPerService: 1,
  granularityMinutes: 60,
  incidentRate: 2,
  seed: 20240601,
};

export const GOLDEN_DIR = fileURLToPath(new URL('../golden/tiny/melt_data', import.meta.url));
