import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJsonObject } from '../../src/validation/safe-json.js';

const reason = (text: string, rejectDuplicates = true) => {
  const parsed = parseJsonObject(text, rejectDuplicates);
  return parsed.ok ? 'ok' : parsed.reason;
};

test('a repeated top-level member is refused however it is spelled or spaced', () => {
  for (const text of [
    '{"alg":"RS256","alg":"none"}',
    '{ "alg" : "RS256" ,\n\t"alg" : "none" }',
    '{"alg":"RS256","\\u0061lg":"none"}',
    '{"a":1,"b":{"c":[1,2]},"a":{}}',
    '{"":1,"":2}',
  ]) {
    assert.equal(reason(text), 'duplicate_member', text);
    assert.equal(reason(text, false), 'ok', `${text} without the duplicate check`);
  }
});

test('commas, brackets, braces and quotes inside strings or nested values are not members', () => {
  for (const text of [
    '{}',
    '{ }',
    '{"a":"x,y","b":"}{]["}',
    '{"a":"say \\"a\\",\\"a\\"","b":1}',
    '{"a":"ends in a backslash \\\\","b":"\\\\\\""}',
    '{"a":{"b":1,"b":2},"c":[1,{"d":","},[",",{}]]}',
    '{"scope":"read write","aud":["x","y"],"cnf":{"jkt":"abc"},"n":null,"t":true,"f":-1.5e3}',
  ]) {
    assert.equal(reason(text), 'ok', text);
  }
});

test('not an object, not JSON, or a forbidden member', () => {
  assert.equal(reason('[1,2]'), 'not_object');
  assert.equal(reason('"text"'), 'not_object');
  assert.equal(reason('null'), 'not_object');
  assert.equal(reason('{"a":1,}'), 'invalid');
  assert.equal(reason('{"a":{"__proto__":{}}}'), 'forbidden_member');
  assert.equal(reason('{"\\u005f_proto__":1}'), 'forbidden_member');
});
