"""The console's process: the server-rendered pages (port 8005 unless LINKWORK_HTTP_PORT says otherwise)."""
