from django.conf import settings


def broker_state():
    """'eager' without REDIS_URL; otherwise 'ok' or 'unavailable' from a bounded ping."""
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
        return "ok"
    except redis.RedisError:
        return "unavailable"
