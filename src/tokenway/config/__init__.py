"""Configuration: the pydantic schema and the YAML loader with ${ENV} references."""

from tokenway.config.loader import ConfigError, load_config
from tokenway.config.schema import Config

__all__ = ["Config", "ConfigError", "load_config"]
