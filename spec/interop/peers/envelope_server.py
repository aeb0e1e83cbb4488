#!/usr/bin/env python3
"""Interop peer: a Python `websockets` server speaking the rxws message protocol (docs/protocol.md).

Written from the protocol page alone, to check it is enough for a peer in another language.
Listens on 127.0.0.1, port 0, and reports on stdout, one JSON object a line:
  {"event": "listening", "port": N}
  {"event": "hello", "session": "..."}            a client's hello
  {"event": "req", "id": N, "target": "...", "from": N}
  {"event": "cancel", "id": N}
Handlers (JSON frames only):
  add    {"a", "b"}  -> res a + b
  count  N           -> next 0 .. N-1 (one every 5 ms), then done
  fail   any         -> err code "NO_FUNDS", message "Not enough funds", data {"balance": 0}
  hang   any         -> nothing until cancelled
  other              -> err UNKNOWN_TARGET
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


async def handler(ws, *_):
    tasks = {}

    async def send(envelope):
        await ws.send(json.dumps(envelope))

    async def run(req):
        rid, target, body = req["id"], req["target"], req.get("body")
        if target == "add":
            await send({"k": "res", "id": rid, "body": body["a"] + body["b"]})
        elif target == "count":
            for n in range(req.get("from", 0), body):
                await send({"k": "next", "id": rid, "n": n, "body": n})
                await asyncio.sleep(0.005)
            await send({"k": "done", "id": rid})
        elif target == "fail":
            await send({"k": "err", "id": rid, "code": "NO_FUNDS", "message": "Not enough funds", "data": {"balance": 0}})
        elif target == "hang":
            await asyncio.Event().wait()
        else:
            await send({"k": "err", "id": rid, "code": "UNKNOWN_TARGET", "message": f"No handler for target '{target}'"})
        tasks.pop(rid, None)

    try:
        async for frame in ws:
            try:
                envelope = json.loads(frame)
                kind = envelope["k"]
            except (ValueError, KeyError, TypeError) as error:
                await send({"k": "err", "code": "DECODE_FAILED", "message": str(error)})
                continue
            if kind == "hello":
                emit({"event": "hello", "session": envelope["session"]})
                await send({"k": "welcome", "v": 1, "session": envelope["session"], "maxInFlight": 16, "dedupWindowMs": 60000})
            elif kind == "req":
                emit({"event": "req", "id": envelope["id"], "target": envelope["target"], "from": envelope.get("from", 0)})
                tasks[envelope["id"]] = asyncio.ensure_future(run(envelope))
            elif kind == "cancel":
                emit({"event": "cancel", "id": envelope["id"]})
                task = tasks.pop(envelope["id"], None)
                if task:
                    task.cancel()
            elif kind == "msg":
                await send({"k": "msg", "body": {"echo": envelope.get("body")}})
            else:
                await send({"k": "err", "code": "INVALID_ENVELOPE", "message": f"unexpected kind {kind!r}"})
    except websockets.ConnectionClosed:
        pass
    finally:
        for task in tasks.values():
            task.cancel()


def exit_when_stdin_closes():
    for _ in sys.stdin:
        pass
    os._exit(0)


async def main(args):
    async with websockets.serve(handler, "127.0.0.1", 0, ping_interval=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        emit({"event": "listening", "port": port})
        await asyncio.sleep(args.lifetime)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lifetime", type=float, default=300)
    args = parser.parse_args()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    asyncio.run(main(args))
