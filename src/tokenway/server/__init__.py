"""The HTTP front: a lean HTTP/1.1 server, routes, and dialect-specific error bodies."""
