"""The errors of the tark-host emulation: how tark would report what went wrong."""


class TarkError(Exception):
    """What tark reports as an error (anyhow::Error) for this operation."""


class HostPanic(TarkError):
    """Where tark's Rust code would panic (e.g. slicing memory out of range)."""


class ManifestError(TarkError):
    """plugin.toml that tark's PluginManifest::load would reject."""


class CredentialsError(TarkError):
    """provider_auth_credentials output that serde would not parse into AuthCredentials."""
