"""A WSGI app served by gunicorn, whose own statsd client reports every request to the dyno's agent."""
import json
import random
import time


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/slow":
        time.sleep(0.02 + random.random() * 0.04)
        status, body = "200 OK", {"orders": []}
    elif path == "/error":
        status, body = "500 Internal Server Error", {"error": "cart total out of range"}
    elif path == "/":
        time.sleep(random.random() * 0.005)
        status, body = "200 OK", {"hello": "world"}
    else:
        status, body = "404 Not Found", {"error": "not found"}
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
