"""The chatgpt-oauth plugin's tools: the check and the device-code login (console commands
``chatgpt-oauth-check`` and ``chatgpt-oauth-login``), the benchmark and the compile profile, and
the emulation of tark's plugin host they load the plugin in (``tark_host``)."""
