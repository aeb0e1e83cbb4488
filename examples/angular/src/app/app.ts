import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import type { ConnectionState as ClientState } from 'rxws';
import { LiveFeedService, type ConnectionState } from './live-feed.service';
import { NewsDeskService } from './news-desk.service';

/** The page: the feed's state and live messages; the desk's state, headlines and a streamed request. */
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
    <h2>news desk</h2>
    <p id="desk-state" [attr.data-status]="deskState().status">{{ deskStateText() }}</p>
    <ul id="headlines">
      @for (headline of headlines(); track headline.id) {
        <li>{{ headline.title }}</li>
      } @empty {
        <li class="empty">no headlines yet</li>
      }
    </ul>
    <button id="countdown-start" type="button" (click)="startCountdown()">count down from 3</button>
    <p id="countdown">{{ countdown() }}</p>
  `,
  styles: `
    :host { display: block; font-family: sans-serif; margin: 1rem; }
    #state, #desk-state { font-weight: bold; }
    [data-status='open'] { color: #126b12; }
    [data-status='reconnecting'] { color: #a05a00; }
    .empty { color: #777; }
  `,
})
export class App {
  private readonly feed = inject(LiveFeedService);
  protected readonly state = toSignal(this.feed.state$, { requireSync: true });
  protected readonly messages = toSignal(this.feed.messages$, { initialValue: [] });
  protected readonly stateText = computed(() => describeState(this.state()));

  private readonly desk = inject(NewsDeskService);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly deskState = toSignal(this.desk.state$, { requireSync: true });
  protected readonly headlines = toSignal(this.desk.headlines$, { initialValue: [] });
  protected readonly deskStateText = computed(() => describeClientState(this.deskState()));
  /** What the countdown request has streamed so far, then 'done' (or the error). */
  protected readonly countdown = signal('');

  constructor() {
    this.feed.start();
    this.desk.start();
  }

  protected startCountdown(): void {
    this.countdown.set('');
    this.desk
      .countdown(3)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (n) => this.countdown.update((shown) => `${shown}${n} `),
        complete: () => this.countdown.update((shown) => `${shown}done`),
        error: (err: Error) => this.countdown.update((shown) => `${shown}failed: ${err.message}`),
      });
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

/** The status line for a `WebSocketClient` state. */
export function describeClientState(state: ClientState): string {
  switch (state.status) {
    case 'closed':
      return 'closed';
    case 'connecting':
      return 'connecting…';
    case 'open':
      return state.protocol ? `open (${state.protocol})` : 'open';
    case 'reconnecting':
      return state.nextTryInMs > 0
        ? `reconnecting: retry ${state.retries}, next in ${state.nextTryInMs} ms (${state.lastError?.reason ?? 'no reason'})`
        : `reconnecting (${state.lastError?.reason ?? 'no reason'})`;
  }
}
