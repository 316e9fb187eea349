"""The baseline: a bare WSGI echo app, no framework, served by the same gunicorn setup as the runtime."""


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    start_response(
        "200 OK",
        [
            ("Content-Type", environ.get("CONTENT_TYPE") or "application/octet-stream"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]
