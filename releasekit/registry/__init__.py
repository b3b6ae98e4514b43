"""Talking to an npm registry: the staging API, auth resolution, OTP and web auth.

Public surface (kept stable for the CLI and the nox kit):

- :class:`releasekit.registry.client.RegistryClient` and
  :class:`releasekit.registry.client.StagedVersion`
- :func:`releasekit.registry.auth.resolve_publish_credentials` /
  :func:`releasekit.registry.auth.resolve_token_credentials` -> ``Credentials``
- :mod:`releasekit.registry.token_store` (``lpm login --npm`` / ``logout``)
- :mod:`releasekit.registry.npmrc` (``registry=``, ``@scope:registry=``, ``provenance=``)
- :func:`releasekit.registry.publish_body.build_publish_body` (npm's publish/stage body)
- :mod:`releasekit.registry.names` (``escape_name``, ``normalize_registry_url``...)

Nothing here imports httpx or jsonschema at module level.
"""
