// The frame conformance cases, grouped as in the Autobahn|Testsuite. Each case says what the raw
// peer sends, which frames the side under test must answer with (echoes of messages, pongs)
// and the close code it must send. The same table runs against rxws's client and server.
import type { ConformanceCase } from './case-kit';
import { CLOSE_AND_LIMIT_CASES } from './cases-close';
import { FRAMING_CASES } from './cases-framing';
import { UTF8_CASES } from './cases-utf8';

export { GROUPS, type ConformanceCase, type ExpectedFrame, type FailFast, type Group } from './case-kit';

export const CASES: readonly ConformanceCase[] = [...FRAMING_CASES, ...UTF8_CASES, ...CLOSE_AND_LIMIT_CASES];
