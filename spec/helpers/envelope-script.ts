// A fake server for marble tests of code that speaks docs/protocol.md: a fakeConnect script that
// plays `marbles` of frames, `o` the open and `c` a drop with 1006, each other key an envelope
// sent as JSON text.
import type { TestScheduler } from 'rxjs/testing';
import type { WebSocketEvent } from 'rxws';
import { closeEvent, openEvent, textMessage, type FakeScript } from 'rxws/testing';

export function envelopeScript(testScheduler: TestScheduler, marbles: string, frames: Record<string, object> = {}): FakeScript {
  return (socket) => {
    const values: Record<string, WebSocketEvent> = { o: openEvent({ socket }), c: closeEvent({ code: 1006, wasClean: false }) };
    for (const [key, envelope] of Object.entries(frames)) values[key] = textMessage(JSON.stringify(envelope), socket);
    return testScheduler.createColdObservable<WebSocketEvent>(marbles, values);
  };
}
