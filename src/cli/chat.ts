import type { Command } from 'commander';
import type { WebSocketEvent } from '../index';
import { addClientFlags, clientProxy, clientTls, withSnakeCaseAliases, type CommonFlags } from './common';
import { encodePdu, parsePdu, pduText } from './ix-pdu';
import { ClientSession, runOnStdinLines } from './client-session';
import { printEvent } from './events';
import { addIxFlags } from './ix-flags';
import { Output } from './output';

/** A chat message: who said it and what. */
export interface ChatMessage {
  user: string;
  text: string;
}

/** A chat message on the wire, as IXWebSocket's `ws chat` sends it: a binary PDU with `text` and `user`. */
export function encodeChatMessage(message: ChatMessage): Uint8Array {
  return encodePdu({ text: message.text, user: message.user });
}

/**
 * Parses a chat message: IXWebSocket's binary PDU, or the JSON text `{"user","text"}` earlier
 * rxws versions sent; undefined for anything else.
 */
export function parseChatMessage(data: string | Uint8Array): ChatMessage | undefined {
  if (typeof data !== 'string') {
    const pdu = parsePdu(data);
    return pdu?.has('user') && pdu.has('text') ? { user: pduText(pdu, 'user'), text: pduText(pdu, 'text') } : undefined;
  }
  try {
    const value: unknown = JSON.parse(data);
    const m = value as Partial<ChatMessage>;
    return typeof m?.user === 'string' && typeof m.text === 'string' ? { user: m.user, text: m.text } : undefined;
  } catch {
    return undefined;
  }
}

function show(out: Output, nick: string, event: WebSocketEvent): void {
  if (event.type === 'message') {
    const chat = parseChatMessage(event.data);
    if (chat) return out.event('chat', 'cyan', `${out.paint('magenta', out.safe(chat.user) + ':')} ${out.safe(chat.text)}`, { ...chat });
  }
  if (event.type === 'open') return out.event('joined', 'green', `${event.url} as ${nick}`, { url: event.url, user: nick });
  printEvent(out, event);
}

/** `rxws chat <url> <nick>`: group chat through a broadcast server. */
export function registerChat(program: Command): void {
  const cmd = program
    .command('chat')
    .description("group chat through a broadcast server: each stdin line is sent as IXWebSocket's chat PDU (user, text)")
    .argument('<url>', 'broadcast server URL')
    .argument('<nick>', 'your name in the chat');
  addClientFlags(cmd);
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action(async (url: string, nick: string, flags: CommonFlags) => {
    const out = new Output({ json: flags.json });
    const session = new ClientSession({ url, connectOptions: { tls: clientTls(flags), proxy: clientProxy(flags) }, reconnect: true, onEvent: (e) => show(out, nick, e) });
    await runOnStdinLines(session, (text) => session.send(encodeChatMessage({ user: nick, text })));
  });
}
