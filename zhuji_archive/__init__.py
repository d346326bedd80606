"""群众档案 (zhuji-archive): household files and request handling for township and village cadres."""

__version__ = "0.1.0"
APP_NAME = "群众档案"
