// Any failed test leaves a marker, so the global teardown keeps the control plane's logs and says where.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, inject } from 'vitest';

afterEach((ctx) => {
  const state = inject('controlPlane');
  if (state && ctx.task.result?.state === 'fail') writeFileSync(join(state.work, 'failed'), ctx.task.name);
});
