"""linkwork console: server-rendered pages (FastAPI + Jinja2, NHS.UK frontend) over the services' HTTP APIs."""
