"""``releasekit.yaml``: loaded with ruamel.yaml, validated by the shipped JSON Schema."""

from releasekit.config.loader import CONFIG_FILENAME, Config, load_config, load_schema

__all__ = ["CONFIG_FILENAME", "Config", "load_config", "load_schema"]
