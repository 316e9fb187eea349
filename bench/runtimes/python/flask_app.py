"""The framework floor: a minimal Flask echo view on the same gunicorn setup (what Flask alone costs)."""

from flask import Flask, Response, request

app = Flask(__name__)


@app.post("/")
def echo() -> Response:
    return Response(request.get_data(), content_type=request.content_type or "application/octet-stream")
