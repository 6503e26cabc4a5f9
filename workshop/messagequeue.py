"""The Socket.IO message queue between processes: Redis, with a bounded, blocking connection pool.

Design decision: several processes share one workshop through Flask-SocketIO's Redis
manager (every emit is published on one channel and each process delivers it to its own
connected clients). python-socketio builds that manager's Redis client with
``Redis.from_url``, whose pool opens a new connection for every greenlet that sends at the
same moment, without limit; under a flood of emits that ran out of connections ("Too many
connections"). Here the pool is a ``BlockingConnectionPool``: at most ``pool_size``
connections per process, and a sender that finds them all busy waits for one (cooperatively,
under gevent) for up to ``pool_timeout`` seconds. One connection is held by the subscriber.
Reads keep the stock manager's lack of a timeout, so a quiet channel never looks dead.

The channel is configurable so that several deployments can share one Redis server without
hearing each other (room names such as ``w1:projector`` repeat between databases).
"""

from __future__ import annotations

from typing import Any

import redis
from socketio import RedisManager

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def redis_manager(url: str, channel: str, pool_size: int, pool_timeout: float = 10.0) -> Any:
    """Return a Socket.IO client manager that carries emits between processes through Redis."""

    class BlockingPoolRedisManager(RedisManager):  # type: ignore[misc]
        def _redis_connect(self) -> None:
            pool = redis.BlockingConnectionPool.from_url(
                self.redis_url,
                max_connections=max(2, pool_size),
                timeout=pool_timeout,
                socket_connect_timeout=5,
                socket_keepalive=True,
            )
            self.redis = redis.Redis(connection_pool=pool)
            self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            self.connected = True

    return BlockingPoolRedisManager(url, channel=channel)


def redis_answers(url: str, clients: dict[str, Any]) -> bool:
    """Return True if the Redis server at ``url`` answers a PING within two seconds.

    ``clients`` caches one small client per URL (the health check runs every few seconds).
    """
    import redis  # the Redis client is only needed when a message queue is configured

    client = clients.get(url)
    if client is None:
        client = clients[url] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
