// What a channel with history tells besides its bodies (docs/channels.md, History): where it
// stands, and every gap in what the client received. Browser-safe types only.
import type { Position } from '../messages/envelope';

export type { Position } from '../messages/envelope';

/**
 * Publications a client did not get and will not get: the app should refetch what they carried.
 * `previous` is where the client was, `current` where the channel goes on from (the next
 * publication has offset `current.offset + 1`).
 *
 * - `'not-recovered'`: on a resubscription the server could not send what was missed since
 *   `previous` (trimmed by count, size or age; or its history was lost: another epoch);
 * - `'epoch-changed'`: a live publication of another epoch: the server lost its history meanwhile
 *   (a restart without a durable store);
 * - `'skipped'`: live publications skipped offsets (trimmed before this client got them).
 */
export interface ChannelGap {
  readonly type: 'gap';
  readonly channel: string;
  readonly reason: 'not-recovered' | 'epoch-changed' | 'skipped';
  readonly previous: Position;
  readonly current: Position;
  /** How many publications were missed, when both positions share an epoch; undefined across epochs. */
  readonly missed: number | undefined;
}

/** The server accepted the subscription (again, after each reconnect). */
export interface ChannelSubscribedEvent {
  readonly type: 'subscribed';
  readonly channel: string;
  /** Where the client stands in the channel's history; undefined without history. */
  readonly position: Position | undefined;
  /** The answer to a resume: true (the missed publications follow), false (see the gap event before it), undefined (no resume). */
  readonly recovered: boolean | undefined;
}

/** A publication, with its position when the channel keeps history. */
export interface ChannelPublicationEvent<T> {
  readonly type: 'publication';
  readonly channel: string;
  readonly data: T;
  readonly position: Position | undefined;
}

/** What `WebSocketClient.channelEvents(name)` emits. */
export type ChannelEvent<T> = ChannelPublicationEvent<T> | ChannelSubscribedEvent | ChannelGap;
