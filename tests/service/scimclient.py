"""scim2-client's sync client over plain httpx.

scim2-client 0.13.2 ships its network engine for the `httpx2` package, which this project does
not install; the client itself only needs `request`, `_parse_json` and a base-URL check.
"""

from __future__ import annotations

from typing import Any

import httpx
from scim2_client.client import BaseSyncSCIMClient
from scim2_client.errors import RequestNetworkException


class HttpxSCIMClient(BaseSyncSCIMClient):
    def __init__(self, client: httpx.Client, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        base = self.client.base_url
        try:
            url = self.client.build_request("GET", endpoint).url
        except httpx.InvalidURL:
            return False
        return url.scheme == base.scheme and url.host == base.host and url.port == base.port \
            and url.raw_path.startswith(base.raw_path.rstrip(b"/"))

    def _parse_json(self, response: Any) -> Any:
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.RequestError as exc:
            error = RequestNetworkException()
            error.add_note(str(exc))
            raise error from exc
