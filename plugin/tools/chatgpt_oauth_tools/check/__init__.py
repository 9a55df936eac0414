"""The check command (``chatgpt-oauth-check``, ``python3 plugin/tools/check.py``), by job:
``observation`` loads the plugin as tark does and records what it did, ``report`` prints that,
``models`` and ``usage`` print what ChatGPT answers (its requests: ``..chatgpt_backend``; the
model probe: ``..probe``), and ``cli`` reads the options and runs one of them."""
