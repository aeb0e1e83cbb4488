// The sockets that are not (yet) WebSocket connections: plain HTTP, kept alive between requests,
// or upgrading. Each must send its next request in time, and those that made a request hold a
// `maxConnections` slot until they close or become a connection.
import type { Duplex } from 'node:stream';
import type { UpgradeRefusal } from './requests';

interface SocketState {
  /** Running while the client owes the server bytes (see `owes`). */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** HTTP requests received and not yet answered. */
  unanswered: number;
  /** Request bodies being read for `onRequest`. */
  readingBodies: number;
  /** The upgrade request has come; the server is deciding (`authorize`). */
  upgrading: boolean;
  /** Holds a `maxConnections` slot. */
  admitted: boolean;
  /** Runs once every earlier request is answered (an upgrade pipelined after HTTP requests). */
  whenAnswered: (() => void) | undefined;
  /** What the deadline does instead of destroying the socket (an upgrade being decided, a body being read). */
  onDeadline: (() => void) | undefined;
}

/** An upgrading client that half-closes has left (after 'upgrade', Node no longer watches 'end'). */
function left(this: Duplex): void {
  this.destroy();
}

/**
 * The deadline rule (`handshakeTimeoutMs`): from the moment a socket is accepted, or has had
 * every request answered, its next request head must arrive in time; a body read for
 * `onRequest` must arrive within that time of its head; an upgrade must be decided within it
 * too. A socket past its deadline is destroyed, or answered (408 for a late body, 503 for an
 * undecided upgrade) and then closed.
 */
export class PendingSockets {
  private readonly states = new Map<Duplex, SocketState>();
  private admittedCount = 0;
  /** The sockets' 'close' listener: one function for all of them, not a closure each. */
  private readonly closed: (this: Duplex) => void;

  constructor(
    private readonly timeoutMs: number,
    private readonly maxConnections: number,
    /** Open WebSocket connections (they hold slots too). */
    private readonly openCount: () => number,
  ) {
    const forget = (socket: Duplex): void => this.forget(socket);
    this.closed = function (this: Duplex) {
      forget(this);
    };
  }

  /** A new TCP (or TLS) socket: its first request must come within the deadline. */
  accepted(socket: Duplex): void {
    const state: SocketState = {
      timer: undefined,
      unanswered: 0,
      readingBodies: 0,
      upgrading: false,
      admitted: false,
      whenAnswered: undefined,
      onDeadline: undefined,
    };
    this.states.set(socket, state);
    socket.on('close', this.closed);
    this.update(socket, state);
  }

  /**
   * Takes a slot for `socket` if it has none: false when the server is at `maxConnections`
   * (open connections plus sockets holding a slot).
   */
  admit(socket: Duplex): boolean {
    const state = this.states.get(socket);
    if (state === undefined || state.admitted) return true;
    if (this.openCount() + this.admittedCount >= this.maxConnections) return false;
    state.admitted = true;
    this.admittedCount++;
    return true;
  }

  /** An HTTP request head has come. */
  requestStarted(socket: Duplex): void {
    this.change(socket, (s) => s.unanswered++);
  }

  /**
   * Reading a request body for `onRequest` starts (with what to do if it misses the deadline)
   * or is over (undefined).
   */
  readingBody(socket: Duplex, onDeadline: (() => void) | undefined): void {
    this.change(socket, (s) => {
      s.readingBodies += onDeadline === undefined ? -1 : 1;
      s.onDeadline = onDeadline;
    });
  }

  /** An HTTP response is written (or its socket gone). */
  answered(socket: Duplex): void {
    const state = this.states.get(socket);
    if (state === undefined) return;
    state.unanswered--;
    this.update(socket, state);
    const next = state.whenAnswered;
    if (state.unanswered === 0 && next !== undefined) {
      state.whenAnswered = undefined;
      next();
    }
  }

  /**
   * An upgrade request has come: `proceed` runs once every earlier HTTP request on the socket is
   * answered (so their responses go out before the 101). Until the upgrade is decided, the
   * deadline runs `onDeadline` instead of destroying the socket.
   */
  upgradeStarted(socket: Duplex, onDeadline: () => void, proceed: () => void): void {
    const state = this.states.get(socket);
    if (state === undefined) {
      proceed();
      return;
    }
    state.upgrading = true;
    state.onDeadline = onDeadline;
    socket.on('end', left);
    this.update(socket, state);
    if (state.unanswered === 0) proceed();
    else state.whenAnswered = proceed;
  }

  /** The socket became a WebSocket connection (or was refused): it is no longer tracked here. */
  done(socket: Duplex): void {
    this.forget(socket);
  }

  /** Destroys the sockets still waiting for an upgrade decision (on shutdown). */
  destroyUpgrading(): void {
    for (const [socket, state] of this.states) if (state.upgrading) socket.destroy();
  }

  private change(socket: Duplex, apply: (state: SocketState) => void): void {
    const state = this.states.get(socket);
    if (state === undefined) return;
    apply(state);
    this.update(socket, state);
  }

  /** Starts the deadline when the client owes the server bytes (or a decision is due), stops it otherwise. */
  private update(socket: Duplex, state: SocketState): void {
    const owes = state.upgrading || state.readingBodies > 0 || state.unanswered === 0;
    if (owes && state.timer === undefined) {
      // Unref'd: an open socket keeps the process alive by itself, a closed one needs no timer.
      state.timer = setTimeout(() => this.expired(socket, state), this.timeoutMs).unref();
    } else if (!owes && state.timer !== undefined) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
  }

  private expired(socket: Duplex, state: SocketState): void {
    state.timer = undefined;
    const onDeadline = state.onDeadline;
    if (onDeadline === undefined) {
      socket.destroy();
      return;
    }
    this.forget(socket);
    onDeadline();
  }

  private forget(socket: Duplex): void {
    const state = this.states.get(socket);
    if (state === undefined) return;
    this.states.delete(socket);
    socket.removeListener('close', this.closed);
    if (state.upgrading) socket.removeListener('end', left);
    if (state.timer !== undefined) clearTimeout(state.timer);
    if (state.admitted) this.admittedCount--;
  }
}

/** The refusal for a client over `maxConnections`. */
export function atLimitRefusal(max: number): UpgradeRefusal {
  return { status: 503, reason: `Server is at its limit of ${max} connections; try again later`, headers: { 'Retry-After': '1' } };
}
