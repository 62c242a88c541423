from tests.redis_server import throwaway_redis

__all__ = ["throwaway_redis"]
