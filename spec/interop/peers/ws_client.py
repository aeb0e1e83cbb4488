#!/usr/bin/env python3
"""Interop peer: a Python `websockets` client for rxws's server tests, driven over stdin.

Reads one JSON request a line on stdin and answers one JSON line on stdout, with the same "id":
  {"op": "connect", "url", "subprotocols"?, "deflate"?, "max_size"?}
      -> {"conn": N, "subprotocol", "extensions"}
  {"op": "send", "conn", "text"}                       -> {}
  {"op": "send", "conn", "fragments": [TEXT, ...]}     -> {} (one message, one frame per item)
  {"op": "send", "conn", "random_bytes": SIZE}         -> {"length", "sha256"} of what was sent
  {"op": "recv", "conn"}                               -> {"kind": "text", "text"}
                                                       or {"kind": "binary", "length", "sha256", "head"}
  {"op": "ping", "conn", "data"}                       -> {} once the pong came back
  {"op": "close", "conn", "code", "reason"}            -> {"code", "reason"} the server answered with
  {"op": "wait_closed", "conn"}                        -> {"code", "reason"} the server closed with
Failures answer {"error": "..."}. Every wait is bounded by --timeout seconds; the process exits
when stdin closes.
"""
import argparse
import asyncio
import hashlib
import json
import os
import sys

import websockets

connections = {}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def op_connect(req):
    ws = await websockets.connect(
        req["url"],
        subprotocols=req.get("subprotocols") or None,
        compression="deflate" if req.get("deflate") else None,
        max_size=req.get("max_size", 2**20),
        ping_interval=None,
    )
    conn = len(connections) + 1
    connections[conn] = ws
    names = [getattr(e, "name", str(e)) for e in (ws.extensions or [])]
    return {"conn": conn, "subprotocol": ws.subprotocol, "extensions": names}


async def op_send(req):
    ws = connections[req["conn"]]
    if "fragments" in req:
        # One text message, one frame per item (RFC 6455 §5.4 fragmentation).
        await ws.send(list(req["fragments"]))
        return {}
    if "text" in req:
        await ws.send(req["text"])
        return {}
    data = os.urandom(req["random_bytes"])
    await ws.send(data)
    return {"length": len(data), "sha256": hashlib.sha256(data).hexdigest()}


async def op_recv(req):
    message = await connections[req["conn"]].recv()
    if isinstance(message, str):
        return {"kind": "text", "text": message}
    return {"kind": "binary", "length": len(message), "sha256": hashlib.sha256(message).hexdigest(), "head": message[:16].hex()}


async def op_ping(req):
    pong = await connections[req["conn"]].ping(req.get("data", "").encode())
    await pong
    return {}


async def op_close(req):
    ws = connections[req["conn"]]
    await ws.close(req.get("code", 1000), req.get("reason", ""))
    return {"code": ws.close_code, "reason": ws.close_reason}


async def op_wait_closed(req):
    ws = connections[req["conn"]]
    await ws.wait_closed()
    return {"code": ws.close_code, "reason": ws.close_reason}


OPS = {"connect": op_connect, "send": op_send, "recv": op_recv, "ping": op_ping, "close": op_close, "wait_closed": op_wait_closed}


async def serve_requests(timeout):
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        req = json.loads(line)
        try:
            result = await asyncio.wait_for(OPS[req["op"]](req), timeout)
        except Exception as err:  # answered, never fatal: the test reads the error
            result = {"error": f"{type(err).__name__}: {err}"}
        emit({"id": req.get("id"), **result})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args()
    emit({"event": "ready", "websockets": websockets.__version__})
    asyncio.run(serve_requests(args.timeout))
    os._exit(0)
