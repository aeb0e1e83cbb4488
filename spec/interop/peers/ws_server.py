#!/usr/bin/env python3
"""Interop peer: a Python `websockets` echo server for rxws's client tests.

Listens on 127.0.0.1, port 0, and reports on stdout, one JSON object a line:
  {"event": "listening", "port": N}
  {"event": "connection", "path": "/...", "subprotocol": ..., "extensions": [...]}
  {"event": "closed", "path": "/...", "code": N, "reason": "..."}   (the client's close frame)
Tests tell their connections apart by the request path.
Every message is echoed back in its own mode, except text commands:
  "cmd:close CODE REASON"  close with that code and reason
  "cmd:ping PAYLOAD"       ping the client, wait for its pong, then send "pong:PAYLOAD"
  "cmd:fragments W1 W2 …"  send "W1 W2 …" as one text message in one fragment per word
  "cmd:info"               send {"subprotocol", "extensions", "headers"} as JSON text
The process exits when stdin closes (its parent is gone) or after --lifetime seconds.
"""
import argparse
import asyncio
import json
import os
import sys
import threading

import websockets


def emit(obj):
    print(json.dumps(obj), flush=True)


def extension_names(ws):
    return [getattr(e, "name", str(e)) for e in (getattr(ws, "extensions", None) or [])]


def request_path(ws):
    path = getattr(ws, "path", None)
    if path is None and getattr(ws, "request", None) is not None:
        path = ws.request.path
    return path


def request_headers(ws):
    headers = getattr(ws, "request_headers", None)
    if headers is None and getattr(ws, "request", None) is not None:
        headers = ws.request.headers
    return {k.lower(): v for k, v in (headers or {}).items()}


async def command(ws, line):
    name, _, rest = line.partition(" ")
    if name == "close":
        code, _, reason = rest.partition(" ")
        await ws.close(int(code), reason)
    elif name == "ping":
        pong = await ws.ping(rest.encode())
        await asyncio.wait_for(pong, 5)
        await ws.send("pong:" + rest)
    elif name == "fragments":
        # One text message sent as one frame per word (RFC 6455 §5.4 fragmentation).
        words = rest.split(" ")
        await ws.send([w + " " for w in words[:-1]] + [words[-1]])
    elif name == "info":
        await ws.send(json.dumps({
            "subprotocol": ws.subprotocol,
            "extensions": extension_names(ws),
            "headers": request_headers(ws),
        }))
    else:
        await ws.send("error:unknown command " + name)


async def handler(ws, path=None):
    path = request_path(ws)
    emit({"event": "connection", "path": path, "subprotocol": ws.subprotocol, "extensions": extension_names(ws)})
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith("cmd:"):
                await command(ws, message[4:])
            else:
                await ws.send(message)
    except websockets.ConnectionClosed:
        pass
    emit({"event": "closed", "path": path, "code": ws.close_code, "reason": ws.close_reason})


def exit_when_stdin_closes():
    for _ in sys.stdin:
        pass
    os._exit(0)


async def main(args):
    protocols = [p for p in args.subprotocols.split(",") if p] or None
    async with websockets.serve(
        handler,
        "127.0.0.1",
        0,
        subprotocols=protocols,
        compression="deflate" if args.deflate else None,
        max_size=args.max_size,
        ping_interval=None,
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        emit({"event": "listening", "port": port})
        await asyncio.sleep(args.lifetime)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--subprotocols", default="")
    parser.add_argument("--deflate", action="store_true")
    parser.add_argument("--max-size", type=int, default=2**20)
    parser.add_argument("--lifetime", type=float, default=300)
    args = parser.parse_args()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    asyncio.run(main(args))
