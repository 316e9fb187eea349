"""python -m kube_serverless_runtime — start the runtime with the configuration from the environment."""

from __future__ import annotations

import sys

from . import logs
from .config import load_config


def main() -> int:
    config = load_config()
    for warning in config.warnings:
        logs.log("warn", warning)
    from .server import serve

    logs.log(
        "info", "runtime starting", runtime="python", function=config.function_name, namespace=config.namespace,
        handler=config.handler, functionDir=config.function_dir, port=config.port,
        timeoutSeconds=config.timeout_seconds, maxBodyBytes=config.max_body_bytes,
    )
    serve(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
