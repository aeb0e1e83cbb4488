import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { LiveFeedService, type ConnectionState } from './live-feed.service';

/** The page: the connection's state and the live messages. */
@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>rxws live feed</h1>
    <p id="state" [attr.data-status]="state().status">{{ stateText() }}</p>
    <ul id="messages">
      @for (message of messages(); track $index) {
        <li>{{ message }}</li>
      } @empty {
        <li class="empty">no messages yet</li>
      }
    </ul>
  `,
  styles: `
    :host { display: block; font-family: sans-serif; margin: 1rem; }
    #state { font-weight: bold; }
    #state[data-status='open'] { color: #126b12; }
    #state[data-status='reconnecting'] { color: #a05a00; }
    .empty { color: #777; }
  `,
})
export class App {
  private readonly feed = inject(LiveFeedService);
  protected readonly state = toSignal(this.feed.state$, { requireSync: true });
  protected readonly messages = toSignal(this.feed.messages$, { initialValue: [] });
  protected readonly stateText = computed(() => describeState(this.state()));

  constructor() {
    this.feed.start();
  }
}

/** The status line for a state. */
export function describeState(state: ConnectionState): string {
  switch (state.status) {
    case 'stopped':
      return 'stopped';
    case 'connecting':
      return 'connecting…';
    case 'open':
      return `open: ${state.url}`;
    case 'reconnecting':
      return state.retries === 0
        ? `reconnecting (${state.reason})`
        : `reconnecting: retry ${state.retries}, next in ${state.waitTimeMs} ms (${state.reason})`;
  }
}
