"""Connecting to a Dask scheduler: a bad address fails in seconds with one line, not a hang.

Dask's own client waits 60 s for any address, even one that cannot be parsed, and then
raises with a traceback. The address is checked first, and the connection is given
``CONNECT_SECONDS``; either failure is a ``--scheduler`` problem (exit 2).
"""

from __future__ import annotations

import asyncio
from typing import Any

from stockpile.scenario import Problem, ScenarioError

CONNECT_SECONDS = 5
EXAMPLE = "e.g. tcp://10.0.0.5:8786"


def _bad(address: str, why: str) -> ScenarioError:
    return ScenarioError([Problem("--scheduler", address, why)])


def check_address(address: str) -> None:
    """Refuse an address Dask cannot parse, naming what is allowed."""
    try:
        from distributed.comm.addressing import parse_address, parse_host_port
        from distributed.comm.registry import backends
    except ImportError:
        raise _bad(address, "needs Dask: pip install 'stockpile[distributed]' "
                   "(or run with --jobs instead)") from None
    try:
        scheme, location = parse_address(address)
        if scheme not in backends or scheme == "inproc":
            raise ValueError(f"unknown protocol '{scheme}'")
        if scheme in {"tcp", "tls"}:
            host, port = parse_host_port(location)
            if not host or not 0 < int(port) < 65536:
                raise ValueError("a host and a port 1-65535 are needed")
    except (ValueError, TypeError) as exc:
        raise _bad(address, f"not a Dask scheduler address: {exc} "
                   f"(PROTOCOL://HOST:PORT, {EXAMPLE})") from None


async def _probe(address: str) -> None:
    """Open and close one connection: what a client would do first, without its clean-up."""
    from distributed.comm import connect as open_comm

    comm = await open_comm(address, timeout=CONNECT_SECONDS)
    await comm.close()


def connect(address: str) -> Any:
    """A Dask client of the scheduler at ``address``, or a ``--scheduler`` problem.

    The scheduler is probed first: a client that fails to connect lingers until the
    interpreter exits and then prints a traceback while it times out closing.
    """
    check_address(address)
    try:
        asyncio.run(asyncio.wait_for(_probe(address), CONNECT_SECONDS + 1))
    except Exception as exc:  # refused, timed out, or something else answering
        raise _bad(address, f"no Dask scheduler answered within {CONNECT_SECONDS} s "
                   f"({type(exc).__name__}; is it running and reachable? {EXAMPLE})") from None
    from dask.distributed import Client

    return Client(address, set_as_default=False, timeout=CONNECT_SECONDS)
