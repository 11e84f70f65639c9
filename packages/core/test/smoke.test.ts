import assert from 'node:assert/strict';
import { test } from 'node:test';
test('a', () => assert.equal(1, 1));
