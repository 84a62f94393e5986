"""The JSON API: one NinjaAPI mounted at /api/, routers under /api/v1/."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="trustdesk API",
    version="1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
