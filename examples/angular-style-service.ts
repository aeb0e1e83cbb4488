// An Angular-style service around WebSocketClient: observables in, methods out, no framework
// needed. In Angular, add @Injectable({ providedIn: 'root' }) and inject it into components.
import { BehaviorSubject, distinctUntilChanged, filter, map, type Observable } from 'rxjs';
import { WebSocketClient, type WebSocketEvent } from 'rxws';

export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected' | 'retrying';

export interface Notification {
  topic: string;
  body: string;
}

export class NotificationService {
  private readonly client: WebSocketClient;
  private readonly status = new BehaviorSubject<ConnectionStatus>('disconnected');

  /** The connection's state, for a status badge. */
  readonly status$: Observable<ConnectionStatus> = this.status.pipe(distinctUntilChanged());
  /** Every notification from the server, parsed. */
  readonly notifications$: Observable<Notification>;

  constructor(url: string) {
    // Reconnects by default; messages sent while disconnected wait in the queue.
    this.client = new WebSocketClient({ url, queue: { maxMessages: 50 }, reconnect: { maxWaitMs: 5_000 } });
    this.client.events$.subscribe((event) => this.status.next(statusAfter(event, this.status.value)));
    this.notifications$ = this.client.messages$.pipe(map((m) => JSON.parse(String(m.data)) as Notification));
  }

  /** Notifications of one topic. */
  topic(topic: string): Observable<string> {
    return this.notifications$.pipe(filter((n) => n.topic === topic), map((n) => n.body));
  }

  connect(): void {
    this.status.next('connecting');
    this.client.start();
  }

  subscribeTo(topic: string): void {
    this.client.send(JSON.stringify({ subscribe: topic }));
  }

  disconnect(): void {
    this.client.stop();
  }
}

function statusAfter(event: WebSocketEvent, current: ConnectionStatus): ConnectionStatus {
  switch (event.type) {
    case 'open': return 'connected';
    case 'error': return 'retrying';
    case 'close': return current === 'connected' ? 'disconnected' : current;
    default: return current;
  }
}
